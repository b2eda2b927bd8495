#include "launch/gated_child.hpp"

#include <unistd.h>

#include <cerrno>
#include <csignal>
#include <sys/prctl.h>
#include <sys/syscall.h>
#include <sys/wait.h>

#include "util/io.hpp"

namespace asocat::launch {
namespace {

constexpr int kAbandonedStatus = 125;

#ifndef P_PIDFD
#define P_PIDFD 3 // Linux 5.4; older glibc headers lack it
#endif

int pidfd_open(pid_t pid) {
    return static_cast<int>(::syscall(SYS_pidfd_open, pid, 0));
}

// Between fork and exec: only async-signal-safe calls, no allocation, no exceptions.
[[noreturn]] void run_child(pid_t parent, util::Pipe& gate, util::Pipe& exec_error,
                            const char* path, char* const* argv, char* const* envp,
                            const InheritedSignalState& signals, PreExecHook hook) {
    // The parent's ends: the gate must read EOF once the parent alone lets go of it.
    ::close(gate.write_end.release());
    ::close(exec_error.read_end.release());
    // If the wrapper dies, socat dies with it rather than running on unaudited.
    if (::prctl(PR_SET_PDEATHSIG, SIGKILL) != 0 || ::getppid() != parent) {
        ::_exit(kAbandonedStatus);
    }
    char go = 0;
    ssize_t n;
    do {
        n = ::read(gate.read_end.get(), &go, 1);
    } while (n < 0 && errno == EINTR);
    if (n != 1) {
        ::_exit(kAbandonedStatus);
    }
    signals.restore();
    if (hook.run != nullptr && hook.run(hook.context) != 0) {
        ::_exit(kAbandonedStatus); // the parent learns why from the hook's own channel
    }
    ::execve(path, argv, envp);
    const int err = errno;
    ssize_t ignored = ::write(exec_error.write_end.get(), &err, sizeof err);
    (void)ignored; // the parent also learns of the failure from the exit status below
    ::_exit(exec_failure_status(err));
}

} // namespace

int exec_failure_status(int errno_value) {
    return errno_value == ENOENT ? 127 : 126;
}

util::Expected<GatedChild> GatedChild::spawn(const ExecRequest& request,
                                             const InheritedSignalState& signals,
                                             PreExecHook hook) {
    auto gate = util::make_pipe();
    if (!gate) {
        return gate.error();
    }
    auto exec_error = util::make_pipe();
    if (!exec_error) {
        return exec_error.error();
    }
    // Everything the child needs is built before fork.
    std::vector<char*> argv;
    argv.reserve(request.argv.size() + 1);
    for (const auto& arg : request.argv) {
        argv.push_back(const_cast<char*>(arg.c_str()));
    }
    argv.push_back(nullptr);

    const pid_t parent = ::getpid();
    const pid_t pid = ::fork();
    if (pid < 0) {
        return util::Error::from_errno("fork");
    }
    if (pid == 0) {
        run_child(parent, *gate, *exec_error, request.path.c_str(), argv.data(), request.envp,
                  signals, hook);
    }
    GatedChild child;
    child.m_pid = pid;
    child.m_gate = std::move(gate->write_end);
    child.m_exec_error = std::move(exec_error->read_end);
    child.m_pidfd.reset(pidfd_open(pid));
    if (!child.m_pidfd) {
        const int err = errno;
        child.abandon();
        return util::Error::from_errno("pidfd_open (audited-socat needs Linux 5.4 or later)", err);
    }
    return child;
}

GatedChild::~GatedChild() {
    abandon();
}

void GatedChild::abandon() {
    m_gate.reset();
}

util::Expected<Termination> GatedChild::reap() {
    for (;;) {
        siginfo_t state{};
        if (::waitid(static_cast<idtype_t>(P_PIDFD), static_cast<id_t>(m_pidfd.get()), &state,
                     WEXITED) != 0) {
            if (errno == EINTR) {
                continue;
            }
            return util::Error::from_errno("waitid");
        }
        if (state.si_code == CLD_EXITED) {
            return Termination::exited(state.si_status);
        }
        return Termination::killed(state.si_status, state.si_code == CLD_DUMPED);
    }
}

util::Expected<Termination> GatedChild::kill_and_reap() {
    if (::syscall(SYS_pidfd_send_signal, m_pidfd.get(), SIGKILL, nullptr, 0) != 0 &&
        errno != ESRCH) {
        return util::Error::from_errno("killing socat");
    }
    return reap();
}

util::Expected<void> GatedChild::release() {
    if (auto opened = open_gate(); !opened) {
        return opened;
    }
    return exec_result();
}

util::Expected<void> GatedChild::open_gate() {
    const char go = 1;
    if (auto sent = util::write_all(m_gate.get(), {&go, 1}); !sent) {
        return sent.error().with_context("releasing socat");
    }
    m_gate.reset();
    return {};
}

util::Expected<void> GatedChild::exec_result() {
    int err = 0;
    std::size_t got = 0;
    while (got < sizeof err) {
        const ssize_t n =
            ::read(m_exec_error.get(), reinterpret_cast<char*>(&err) + got, sizeof err - got);
        if (n < 0) {
            if (errno == EINTR) {
                continue;
            }
            return util::Error::from_errno("reading socat's exec status");
        }
        if (n == 0) {
            break;
        }
        got += static_cast<std::size_t>(n);
    }
    m_exec_error.reset();
    if (got == 0) {
        return {}; // the pipe closed on exec
    }
    return util::Error::from_errno("cannot execute", got == sizeof err ? err : EIO);
}

} // namespace asocat::launch
