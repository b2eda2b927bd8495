// The capture supervisor as its own process. It must outlive the wrapper's wait: the wrapper
// returns when socat's main process ends (as bare socat would), while fork children may still
// be running and must stay served. It is forked from the wrapper once the wrapper holds the
// seccomp listener, and the wrapper then drops its own copy, so the supervisor's death closes
// the listener: every trapped call then fails (ENOSYS), and the wrapper kills socat.
#pragma once

#include <string>
#include <sys/types.h>

#include "capture/supervisor.hpp"
#include "launch/audit_trail.hpp"
#include "util/error.hpp"
#include "util/scoped_fd.hpp"

namespace asocat::launch {

class SupervisorProcess {
public:
    // `options.control_fd` is set here. The child takes over `trail` (a copy of the
    // wrapper's, by fork) for its own records.
    static util::Expected<SupervisorProcess>
    start(util::ScopedFd listener, capture::SupervisorOptions options, AuditTrail& trail);

    int pidfd() const { return m_pidfd.get(); }

    // socat's main process has ended: returns once the supervisor has written what it
    // observed so far (or has ended after writing everything), or fails after `timeout_ms`.
    util::Expected<void> flush_after_main_exit(int timeout_ms);

    // The supervisor ended while socat still ran: fine if it ended cleanly (no traced task
    // was left, so socat is exiting), else why, as it said before ending.
    util::Expected<void> ended_early();

private:
    SupervisorProcess() = default;
    util::Error failure();
    pid_t m_pid = -1;
    util::ScopedFd m_pidfd;
    util::ScopedFd m_control;
};

} // namespace asocat::launch
