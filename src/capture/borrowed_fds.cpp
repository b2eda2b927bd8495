#include "capture/borrowed_fds.hpp"

#include <fcntl.h>
#include <unistd.h>

#include <cerrno>
#include <iterator>
#include <sys/syscall.h>

namespace asocat::capture {
namespace {

util::Error gone() {
    return util::Error("the traced call is no longer pending", ENOENT);
}

} // namespace

util::ScopedFd open_caller_pidfd(pid_t tid) {
    constexpr unsigned kPidfdThread = O_EXCL; // PIDFD_THREAD; glibc 2.36 lacks the name
    util::ScopedFd pidfd(static_cast<int>(::syscall(SYS_pidfd_open, tid, 0)));
    if (!pidfd && errno == EINVAL) {
        pidfd.reset(static_cast<int>(::syscall(SYS_pidfd_open, tid, kPidfdThread)));
    }
    return pidfd;
}

util::Expected<int> BorrowedFds::borrow(const NotifyListener& listener, const Notification& call,
                                        int fd) {
    auto found = m_processes.find(call.pid);
    if (found == m_processes.end()) {
        util::ScopedFd pidfd = open_caller_pidfd(call.pid);
        if (!pidfd) {
            return errno == ESRCH ? gone() : util::Error::from_errno("pidfd_open of a tracee");
        }
        if (!listener.still_pending(call.id)) {
            return gone(); // the pidfd may name a process that merely reused the pid
        }
        found = m_processes.emplace(call.pid, Process{std::move(pidfd), {}}).first;
    }
    Process& process = found->second;
    if (const auto cached = process.fds.find(fd); cached != process.fds.end()) {
        return cached->second.get();
    }
    util::ScopedFd duplicate(
        static_cast<int>(::syscall(SYS_pidfd_getfd, process.pidfd.get(), fd, 0)));
    if (!duplicate) {
        if (errno == ESRCH) {
            return gone();
        }
        return util::Error::from_errno("pidfd_getfd of descriptor " + std::to_string(fd));
    }
    if (!listener.still_pending(call.id)) {
        return gone();
    }
    const int borrowed = duplicate.get();
    process.fds.emplace(fd, std::move(duplicate));
    return borrowed;
}

void BorrowedFds::adopt(pid_t pid, int fd, util::ScopedFd duplicate) {
    if (const auto found = m_processes.find(pid); found != m_processes.end()) {
        found->second.fds.insert_or_assign(fd, std::move(duplicate));
    }
}

std::optional<int> BorrowedFds::held(pid_t pid, int fd) const {
    const auto process = m_processes.find(pid);
    if (process == m_processes.end()) {
        return std::nullopt;
    }
    const auto found = process->second.fds.find(fd);
    return found == process->second.fds.end() ? std::nullopt
                                              : std::optional<int>(found->second.get());
}

void BorrowedFds::forget(pid_t pid, int fd) {
    if (const auto found = m_processes.find(pid); found != m_processes.end()) {
        found->second.fds.erase(fd);
    }
}

void BorrowedFds::forget_range(pid_t pid, int first, int last) {
    const auto found = m_processes.find(pid);
    if (found == m_processes.end()) {
        return;
    }
    auto& fds = found->second.fds;
    for (auto it = fds.begin(); it != fds.end();) {
        it = it->first >= first && it->first <= last ? fds.erase(it) : std::next(it);
    }
}

void BorrowedFds::forget_process(pid_t pid) {
    m_processes.erase(pid);
}

std::size_t BorrowedFds::size() const {
    std::size_t total = 0;
    for (const auto& [pid, process] : m_processes) {
        total += process.fds.size();
    }
    return total;
}

} // namespace asocat::capture
