// socat's process, started in two steps. spawn() forks a child that waits at a gate before
// exec; the wrapper records the session start with the child's pid, then release() lets it exec
// (or abandon() makes it exit without ever running socat). A close-on-exec pipe reports whether
// execve itself failed, so "socat not executable" is told apart from socat's own exit status.
#pragma once

#include <string>
#include <sys/types.h>
#include <vector>

#include "launch/signal_relay.hpp"
#include "launch/termination.hpp"
#include "util/error.hpp"
#include "util/scoped_fd.hpp"

namespace asocat::launch {

struct ExecRequest {
    std::string path;
    std::vector<std::string> argv;
    char* const* envp; // passed through untouched
};

// Runs in the child after the gate opened, just before exec (the capture engine installs its
// seccomp filter here): async-signal-safe, no allocation. Returns 0, or an errno that makes the
// child exit with status 125 without exec.
struct PreExecHook {
    int (*run)(const void* context) noexcept = nullptr;
    const void* context = nullptr;
};

class GatedChild {
public:
    static util::Expected<GatedChild>
    spawn(const ExecRequest& request, const InheritedSignalState& signals, PreExecHook hook = {});

    GatedChild(GatedChild&&) = default;
    GatedChild& operator=(GatedChild&&) = default;
    // A child never released is abandoned: it exits without running socat.
    ~GatedChild();

    pid_t pid() const { return m_pid; }
    int pidfd() const { return m_pidfd.get(); }

    // Opens the gate and waits until execve has either replaced the child (success) or failed
    // (the errno of the failure).
    util::Expected<void> release();
    // release() in two steps, for a parent with work between them (taking the seccomp
    // listener the hook publishes): open_gate() lets the child go on, exec_result() waits.
    util::Expected<void> open_gate();
    util::Expected<void> exec_result();

    // Closes the gate: the child exits with status 125 without exec.
    void abandon();

    // SIGKILL through the pidfd (never a recycled pid), then wait for the end.
    util::Expected<Termination> kill_and_reap();

    // Waits (blocking) until the child has ended.
    util::Expected<Termination> reap();

private:
    GatedChild() = default;
    pid_t m_pid = -1;
    util::ScopedFd m_pidfd;
    util::ScopedFd m_gate;       // write end: one byte releases the child
    util::ScopedFd m_exec_error; // read end: EOF on successful exec, else the errno
};

// Exit status of a child whose execve failed with `errno_value`: 127 if the file is missing,
// 126 otherwise (the shell's convention, which socat users know).
int exec_failure_status(int errno_value);

} // namespace asocat::launch
