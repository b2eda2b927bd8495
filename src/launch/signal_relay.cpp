#include "launch/signal_relay.hpp"

#include <unistd.h>

#include <cerrno>

namespace asocat::launch {

void InheritedSignalState::restore() const noexcept {
    for (const auto& saved : m_dispositions) {
        ::sigaction(saved.signal, &saved.action, nullptr);
    }
    ::sigprocmask(SIG_SETMASK, &m_mask, nullptr);
}

util::Expected<SignalRelay> SignalRelay::install() {
    SignalRelay relay;
    sigset_t blocked;
    sigemptyset(&blocked);
    for (const int s : kRelayedSignals) {
        sigaddset(&blocked, s);
    }
    sigaddset(&blocked, SIGCHLD);
    if (::sigprocmask(SIG_BLOCK, &blocked, &relay.m_inherited.m_mask) != 0) {
        return util::Error::from_errno("sigprocmask");
    }

    const auto save_and_set = [&](int signal, void (*handler)(int)) -> util::Expected<void> {
        InheritedSignalState::Saved saved{signal, {}};
        if (::sigaction(signal, nullptr, &saved.action) != 0) {
            return util::Error::from_errno("sigaction");
        }
        relay.m_inherited.m_dispositions.push_back(saved);
        struct sigaction action {};
        action.sa_handler = handler;
        sigemptyset(&action.sa_mask);
        if (::sigaction(signal, &action, nullptr) != 0) {
            return util::Error::from_errno("sigaction");
        }
        return {};
    };
    for (const int s : kRelayedSignals) {
        struct sigaction current {};
        ::sigaction(s, nullptr, &current);
        if (current.sa_handler == SIG_IGN) {
            if (auto set = save_and_set(s, SIG_DFL); !set) {
                return set.error();
            }
        }
    }
    // SIGCHLD ignored would make the kernel reap socat for us, losing its status.
    if (auto set = save_and_set(SIGCHLD, SIG_DFL); !set) {
        return set.error();
    }
    if (auto set = save_and_set(SIGXFSZ, SIG_IGN); !set) {
        return set.error();
    }

    relay.m_fd.reset(::signalfd(-1, &blocked, SFD_CLOEXEC));
    if (!relay.m_fd) {
        return util::Error::from_errno("signalfd");
    }
    return relay;
}

util::Expected<signalfd_siginfo> SignalRelay::next() {
    signalfd_siginfo info{};
    for (;;) {
        const ssize_t n = ::read(m_fd.get(), &info, sizeof info);
        if (n == static_cast<ssize_t>(sizeof info)) {
            return info;
        }
        if (n < 0 && errno == EINTR) {
            continue;
        }
        return util::Error::from_errno("read signalfd", n < 0 ? errno : EIO);
    }
}

bool SignalRelay::should_relay(const signalfd_siginfo& info, pid_t child) {
    const int code = info.ssi_code;
    // SI_USER: kill(2); SI_QUEUE: sigqueue(3); SI_TKILL: tgkill(2). The terminal driver sends
    // with SI_KERNEL, to the whole foreground group, which socat is in already.
    const bool sent_by_a_process = code == SI_USER || code == SI_QUEUE || code == SI_TKILL;
    return sent_by_a_process && static_cast<pid_t>(info.ssi_pid) != child;
}

} // namespace asocat::launch
