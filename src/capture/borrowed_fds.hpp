// The supervisor's duplicates of traced processes' descriptors (pidfd_getfd), made once per
// process and descriptor and kept while the tracee keeps its own: performing a call on a
// duplicate acts on the same open file or socket. A duplicate also keeps that file open, so it
// must be forgotten before the tracee's close, dup2 onto it, close_range, exec or exit is let
// through, or a peer would never see EOF (DESIGN.md section 4).
#pragma once

#include <cstddef>
#include <optional>
#include <sys/types.h>
#include <unordered_map>

#include "capture/notify_listener.hpp"
#include "util/error.hpp"
#include "util/scoped_fd.hpp"

namespace asocat::capture {

// A pidfd for the caller of a trapped call: the kernel reports the calling thread's id, and a
// thread other than the leader needs a thread pidfd (PIDFD_THREAD, Linux 6.9), which
// pidfd_getfd and polling accept as well (the descriptor table is the process's).
util::ScopedFd open_caller_pidfd(pid_t tid);

class BorrowedFds {
public:
    // The supervisor's duplicate of descriptor `fd` of the caller of `call`, valid until it is
    // forgotten. The caller's pidfd is opened on first use; both steps are followed by the
    // pending-id check, so a reused pid never lends someone else's descriptor. Errors: EBADF
    // (the caller has no such descriptor), ENOENT (the call is no longer pending).
    util::Expected<int> borrow(const NotifyListener& listener, const Notification& call, int fd);

    // Keeps `duplicate` as the supervisor's copy of descriptor `fd` of `pid` (a socket the
    // supervisor accepted and installed there). `pid` must have lent a descriptor before.
    void adopt(pid_t pid, int fd, util::ScopedFd duplicate);

    // The supervisor's copy of `fd` of `pid`, if it holds one (no new borrowing).
    std::optional<int> held(pid_t pid, int fd) const;

    // The tracee closed or replaced `fd`.
    void forget(pid_t pid, int fd);
    // close_range(first, last) in the tracee.
    void forget_range(pid_t pid, int first, int last);
    // The tracee executed (close-on-exec descriptors are gone; the others are borrowed again
    // on demand) or exited.
    void forget_process(pid_t pid);

    std::size_t size() const;

private:
    struct Process {
        util::ScopedFd pidfd;
        std::unordered_map<int, util::ScopedFd> fds;
    };
    std::unordered_map<pid_t, Process> m_processes;
};

} // namespace asocat::capture
