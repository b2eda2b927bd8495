// Whether a traced thread, blocked in a call the supervisor performs for it, has a signal it
// would take now. The filter is installed with WAIT_KILLABLE_RECV, so once the supervisor has
// received a call only a fatal signal interrupts the caller; for any other signal the
// supervisor must give the call up itself (-ERESTARTSYS), and the kernel then does what it
// would have done natively: run the handler and restart or fail with EINTR, or stop.
#pragma once

#include <sys/types.h>

namespace asocat::capture {

// The kernel's "restart this call after the signal" code (include/linux/errno.h, not exported
// to user space).
inline constexpr int kRestartSys = 512;

// The signal the kernel will deliver to thread `tid` first when its call returns, from
// /proc/TID/status: of the unblocked pending ones, the thread's own before the process-wide,
// synchronous (fault) signals before the others, then the lowest number. 0 if none is pending
// or the thread is gone.
int next_signal(pid_t tid);

} // namespace asocat::capture
