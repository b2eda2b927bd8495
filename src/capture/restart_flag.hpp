// Why the supervisor adds SA_RESTART to socat's SIGCHLD handler.
//
// A trapped call waits for the supervisor in two phases. Until the supervisor has received it
// the wait is interruptible (WAIT_KILLABLE_RECV only covers the time after), so a signal that
// arrives then ends the call with -ERESTARTSYS, and a handler installed without SA_RESTART
// turns that into EINTR, even for a call that natively never waits, like a write to a socket
// with room. socat installs every handler without SA_RESTART on purpose. It retries EINTR on
// plain descriptors, but OpenSSL reports it as SSL_ERROR_WANT_WRITE, on which socat ends the
// session ("nonblocking operation did not complete"): an EXEC child ending while socat wrote to
// a TLS peer was enough. SIGCHLD is the one signal that arrives on its own during a relay, and
// for it restarting is what socat does after EINTR anyway; its terminating signals stay as they
// are, since socat's handler defers the exit to the EINTR of the call it interrupted.
//
// So when a process running socat installs a SIGCHLD handler without SA_RESTART, the flag is
// added in the caller's copy of the arguments (glibc's own copy on its stack) before the call
// proceeds, and the supervisor remembers that the program asked to be interrupted: a call it
// performs, parks and then gives up for SIGCHLD is answered EINTR, as it would be natively.
// The race is not only OpenSSL's: an interrupted close leaves the descriptor open (a fork-mode
// listener would keep a finished connection alive), an interrupted exit_group makes glibc fall
// back to exit. At meta socat's data calls run natively, and one that really waits is now
// restarted after SIGCHLD rather than failed with EINTR; socat retries EINTR there anyway.
#pragma once

#include <csignal>

#include "capture/notify_listener.hpp"
#include "util/error.hpp"

namespace asocat::capture {

inline constexpr int kRestartedSignal = SIGCHLD;

// For rt_sigaction(kRestartedSignal, act, ...) with `act` set: true if `act` installs a handler
// without SA_RESTART, which now has it; false if it installs SIG_DFL, SIG_IGN or a handler that
// restarts already. Errors as read_tracee and write_tracee (the call then proceeds untouched).
util::Expected<bool> add_restart_flag(const NotifyListener& listener, const Notification& call);

} // namespace asocat::capture
