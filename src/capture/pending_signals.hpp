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

// Pending (thread or process-wide) and not blocked, from /proc/TID/status. False if the
// thread is gone.
bool has_deliverable_signal(pid_t tid);

} // namespace asocat::capture
