// Signals and the wrapper. The wrapper blocks the signals it relays and reads them from a
// signalfd; one sent to the wrapper by another process (kill, sigqueue, tgkill) is passed on to
// socat. One the terminal sends to the whole foreground process group (Ctrl-C, Ctrl-\, SIGWINCH,
// hangup) already reaches socat, which shares the group, so it is not sent twice.
// socat must start with the signal state the wrapper was given: the child restores the mask and
// every disposition changed here before exec.
#pragma once

#include <signal.h>

#include <array>
#include <sys/signalfd.h>
#include <vector>

#include "util/error.hpp"
#include "util/scoped_fd.hpp"

namespace asocat::launch {

inline constexpr std::array<int, 9> kRelayedSignals = {SIGHUP,  SIGINT,   SIGQUIT, SIGUSR1, SIGUSR2,
                                                       SIGTERM, SIGWINCH, SIGCONT, SIGALRM};

// The signal state a process inherited, to be given back to socat.
class InheritedSignalState {
public:
    // Restores mask and dispositions; async-signal-safe (used between fork and exec).
    void restore() const noexcept;

private:
    friend class SignalRelay;
    struct Saved {
        int signal;
        struct sigaction action;
    };
    sigset_t m_mask{};
    std::vector<Saved> m_dispositions;
};

class SignalRelay {
public:
    // Blocks the relayed signals and SIGCHLD, makes sure none is ignored in the wrapper (an
    // ignored signal never reaches a signalfd), and ignores SIGXFSZ so an oversized log write
    // fails with EFBIG instead of killing the wrapper.
    static util::Expected<SignalRelay> install();

    // The wrapper keeps this state until it exits: restoring the mask early would let a
    // pending relayed signal kill the wrapper before it reports socat's status.
    int fd() const { return m_fd.get(); }
    const InheritedSignalState& inherited() const { return m_inherited; }

    // Reads one pending signal (blocking).
    util::Expected<signalfd_siginfo> next();

    // Whether `info` was sent to the wrapper specifically by a process other than `child`.
    static bool should_relay(const signalfd_siginfo& info, pid_t child);

private:
    SignalRelay() = default;
    util::ScopedFd m_fd;
    InheritedSignalState m_inherited;
};

} // namespace asocat::launch
