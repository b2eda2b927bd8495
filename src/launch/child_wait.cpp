#include "launch/child_wait.hpp"

#include <poll.h>
#include <unistd.h>

#include <cerrno>
#include <csignal>
#include <sys/syscall.h>
#include <sys/timerfd.h>
#include <sys/wait.h>

#include "util/procfs.hpp"

#ifndef P_PIDFD
#define P_PIDFD 3 // Linux 5.4; older glibc headers lack it
#endif

namespace asocat::launch {
namespace {

int pidfd_send_signal(int pidfd, int signal) {
    return static_cast<int>(::syscall(SYS_pidfd_send_signal, pidfd, signal, nullptr, 0));
}

// A stop of socat by SIGSTOP (which only a process can send, never the terminal) is mirrored so
// the job shows as stopped. Terminal stops (SIGTSTP/TTIN/TTOU) reach the wrapper itself and need
// no mirror. The state is re-read first: if socat was continued meanwhile, stopping would hang.
void mirror_stop(const GatedChild& child, int stop_signal) {
    if (stop_signal != SIGSTOP) {
        return;
    }
    auto st = util::proc_stat(child.pid());
    if (st && st->state == 'T') {
        ::raise(SIGSTOP);
    }
}

} // namespace

util::Expected<Termination> wait_for_exit(const GatedChild& child, SignalRelay& relay,
                                          std::int64_t tick_ms,
                                          const std::function<util::Expected<void>()>& on_tick,
                                          const Tripwire& tripwire) {
    util::ScopedFd timer(::timerfd_create(CLOCK_MONOTONIC, TFD_CLOEXEC | TFD_NONBLOCK));
    if (!timer) {
        return util::Error::from_errno("timerfd_create");
    }
    const timespec period{static_cast<time_t>(tick_ms / 1000),
                          static_cast<long>(tick_ms % 1000) * 1'000'000};
    const itimerspec schedule{period, period};
    if (::timerfd_settime(timer.get(), 0, &schedule, nullptr) != 0) {
        return util::Error::from_errno("timerfd_settime");
    }
    bool armed = tripwire.fd >= 0;
    for (;;) {
        pollfd fds[3] = {
            {relay.fd(), POLLIN, 0}, {timer.get(), POLLIN, 0}, {tripwire.fd, POLLIN, 0}};
        if (::poll(fds, armed ? 3 : 2, -1) < 0) {
            if (errno == EINTR) {
                continue;
            }
            return util::Error::from_errno("poll");
        }
        // The supervisor also ends, legitimately, right after socat's main process: socat's
        // own end is looked for before the tripwire counts.
        const bool tripped = armed && fds[2].revents != 0;
        if ((fds[1].revents & POLLIN) != 0) {
            std::uint64_t expirations = 0;
            if (::read(timer.get(), &expirations, sizeof expirations) < 0 && errno != EAGAIN) {
                return util::Error::from_errno("reading timerfd");
            }
            if (auto ticked = on_tick(); !ticked) {
                return ticked.error();
            }
        }
        if ((fds[0].revents & POLLIN) != 0) {
            auto info = relay.next();
            if (!info) {
                return info.error();
            }
            if (info->ssi_signo != SIGCHLD) {
                if (SignalRelay::should_relay(*info, child.pid()) &&
                    pidfd_send_signal(child.pidfd(), static_cast<int>(info->ssi_signo)) != 0 &&
                    errno != ESRCH) { // ESRCH: socat has just exited; its status is on its way
                    return util::Error::from_errno("relaying a signal to socat");
                }
                if (!tripped) {
                    continue;
                }
            }
        } else if (!tripped) {
            continue;
        }
        // SIGCHLD coalesces: collect every state change that is pending.
        for (;;) {
            siginfo_t state{};
            if (::waitid(static_cast<idtype_t>(P_PIDFD), static_cast<id_t>(child.pidfd()), &state,
                         WEXITED | WSTOPPED | WCONTINUED | WNOHANG) != 0) {
                if (errno == EINTR) {
                    continue;
                }
                return util::Error::from_errno("waitid");
            }
            if (state.si_pid == 0) {
                if (tripped) {
                    if (auto verdict = tripwire.on_ready(); !verdict) {
                        return verdict.error();
                    }
                    armed = false;
                }
                break; // nothing more to report
            }
            switch (state.si_code) {
            case CLD_EXITED:
                return Termination::exited(state.si_status);
            case CLD_KILLED:
                return Termination::killed(state.si_status);
            case CLD_DUMPED:
                return Termination::killed(state.si_status, true);
            case CLD_STOPPED:
                mirror_stop(child, state.si_status);
                break;
            default: // CLD_CONTINUED, CLD_TRAPPED: nothing to do
                break;
            }
        }
    }
}

} // namespace asocat::launch
