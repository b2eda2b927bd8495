#include "launch/supervisor_process.hpp"

#include <fcntl.h>
#include <poll.h>
#include <unistd.h>

#include <cerrno>
#include <csignal>
#include <sys/prctl.h>
#include <sys/socket.h>
#include <sys/syscall.h>
#include <sys/wait.h>

#include "capture/notify_listener.hpp"
#include "launch/capture_recorder.hpp"
#include "util/signals.hpp"

#ifndef P_PIDFD
#define P_PIDFD 3 // Linux 5.4; older glibc headers lack it
#endif

namespace asocat::launch {
namespace {

constexpr char kFailed = 'X'; // followed by the reason, in one message

// The supervisor shares socat's process group, so that the terminal treats the reads and
// writes it performs for socat as socat's; it must not die of the keyboard's or a group kill's
// signals while socat handles them. Only SIGKILL ends it early. SIGXFSZ is ignored so that a
// log at its size limit is a write error (recorded, socat stopped), not a silent death.
void detach_from_signals() {
    for (const int signal : {SIGINT, SIGQUIT, SIGTERM, SIGHUP, SIGTSTP, SIGTTIN, SIGTTOU, SIGWINCH,
                             SIGPIPE, SIGUSR1, SIGUSR2, SIGALRM, SIGXFSZ}) {
        ::signal(signal, SIG_IGN);
    }
    sigset_t none;
    sigemptyset(&none);
    ::sigprocmask(SIG_SETMASK, &none, nullptr);
}

// Its stdio is socat's: holding it open would keep a pipe reader waiting after socat ended.
void release_stdio() {
    const int null = ::open("/dev/null", O_RDWR | O_CLOEXEC);
    for (int fd = 0; fd <= 2; ++fd) {
        if (null >= 0) {
            ::dup2(null, fd);
        } else {
            ::close(fd);
        }
    }
    if (null > 2) {
        ::close(null);
    }
}

util::Expected<void> supervise(util::ScopedFd listener_fd, capture::SupervisorOptions options,
                               AuditTrail& trail) {
    auto listener = capture::NotifyListener::adopt(std::move(listener_fd));
    if (!listener) {
        return listener.error();
    }
    // Synchronous wake-up saves ~20 us per call on Linux 6.6 and later; without it capture is
    // slower, not weaker.
    (void)listener->enable_sync_wakeup();
    CaptureRecorder recorder(trail, options.session);
    auto supervisor =
        capture::Supervisor::create(std::move(*listener), std::move(options), recorder);
    if (!supervisor) {
        return supervisor.error();
    }
    return supervisor->run();
}

[[noreturn]] void run_child(util::ScopedFd listener, capture::SupervisorOptions options,
                            AuditTrail& trail, int control) {
    ::prctl(PR_SET_NAME, "asocat-capture");
    detach_from_signals();
    release_stdio();
    options.control_fd = control;
    auto served = supervise(std::move(listener), std::move(options), trail);
    if (!served) {
        const std::string message = kFailed + served.error().describe();
        ssize_t ignored = ::send(control, message.data(), message.size(), MSG_NOSIGNAL);
        (void)ignored; // the wrapper also sees the exit status
        ::_exit(1);
    }
    ::_exit(0);
}

} // namespace

util::Expected<SupervisorProcess> SupervisorProcess::start(util::ScopedFd listener,
                                                           capture::SupervisorOptions options,
                                                           AuditTrail& trail) {
    int pair[2];
    if (::socketpair(AF_UNIX, SOCK_SEQPACKET | SOCK_CLOEXEC, 0, pair) != 0) {
        return util::Error::from_errno("socketpair for the capture supervisor");
    }
    util::ScopedFd ours(pair[0]);
    util::ScopedFd theirs(pair[1]);
    const pid_t pid = ::fork();
    if (pid < 0) {
        return util::Error::from_errno("fork of the capture supervisor");
    }
    if (pid == 0) {
        ours.reset();
        run_child(std::move(listener), std::move(options), trail, theirs.release());
    }
    SupervisorProcess process;
    process.m_pid = pid;
    process.m_control = std::move(ours);
    process.m_pidfd.reset(static_cast<int>(::syscall(SYS_pidfd_open, pid, 0)));
    if (!process.m_pidfd) {
        const int err = errno;
        ::kill(pid, SIGKILL); // our own child, not yet reaped: the pid is still ours
        return util::Error::from_errno("pidfd_open of the capture supervisor", err);
    }
    return process;
}

util::Expected<void> SupervisorProcess::flush_after_main_exit(int timeout_ms) {
    const char request = capture::kMainExited;
    if (::send(m_control.get(), &request, 1, MSG_NOSIGNAL) != 1 && errno != EPIPE &&
        errno != ECONNRESET) {
        return util::Error::from_errno("asking the capture supervisor to write its records");
    }
    pollfd wait{m_control.get(), POLLIN, 0};
    const int ready = ::poll(&wait, 1, timeout_ms);
    if (ready == 0) {
        return util::Error("the capture supervisor did not write its records within " +
                               std::to_string(timeout_ms / 1000) + " s",
                           ETIMEDOUT);
    }
    char reply[512];
    const ssize_t n = ::recv(m_control.get(), reply, sizeof reply, MSG_DONTWAIT);
    if (n > 0 && reply[0] == capture::kFlushed) {
        return {};
    }
    if (n > 0 && reply[0] == kFailed) {
        return util::Error(std::string(reply + 1, static_cast<std::size_t>(n - 1)), EIO);
    }
    // The supervisor ended (no traced process was left): it wrote everything first, unless it
    // failed.
    siginfo_t state{};
    if (::waitid(static_cast<idtype_t>(P_PIDFD), static_cast<id_t>(m_pidfd.get()), &state,
                 WEXITED) != 0) {
        return util::Error::from_errno("waiting for the capture supervisor");
    }
    if (state.si_code == CLD_EXITED && state.si_status == 0) {
        return {};
    }
    return failure();
}

util::Expected<void> SupervisorProcess::ended_early() {
    siginfo_t state{};
    if (::waitid(static_cast<idtype_t>(P_PIDFD), static_cast<id_t>(m_pidfd.get()), &state,
                 WEXITED | WNOHANG | WNOWAIT) == 0 &&
        state.si_pid != 0 && state.si_code == CLD_EXITED && state.si_status == 0) {
        return {};
    }
    return failure();
}

util::Error SupervisorProcess::failure() {
    char reply[512];
    const ssize_t n = ::recv(m_control.get(), reply, sizeof reply, MSG_DONTWAIT);
    if (n > 1 && reply[0] == kFailed) {
        return util::Error("the capture supervisor stopped: " +
                               std::string(reply + 1, static_cast<std::size_t>(n - 1)),
                           EIO);
    }
    siginfo_t state{};
    if (::waitid(static_cast<idtype_t>(P_PIDFD), static_cast<id_t>(m_pidfd.get()), &state,
                 WEXITED | WNOHANG) == 0 &&
        state.si_pid != 0) {
        return util::Error(
            state.si_code == CLD_EXITED
                ? "the capture supervisor exited with status " + std::to_string(state.si_status)
                : "the capture supervisor was killed by " + util::signal_name(state.si_status),
            EIO);
    }
    return util::Error("the capture supervisor ended unexpectedly", EIO);
}

} // namespace asocat::launch
