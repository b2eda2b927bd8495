// The supervisor's end of a seccomp user-notification filter: receives the calls the filter
// traps and answers each one exactly once (continue it, fail it with an errno, or return a
// value the supervisor produced, optionally installing a descriptor in the caller).
#pragma once

#include <cstddef>
#include <cstdint>
#include <linux/seccomp.h>
#include <sys/types.h>
#include <vector>

#include "util/error.hpp"
#include "util/scoped_fd.hpp"

namespace asocat::capture {

struct Notification {
    std::uint64_t id = 0; // valid until answered, or until the caller dies
    pid_t pid = 0;        // thread id of the caller, in the supervisor's pid namespace
    seccomp_data data{};  // nr, arch, instruction pointer, six raw arguments
};

class NotifyListener {
public:
    // Asks the kernel how large its notification structures are (they may grow with it).
    static util::Expected<NotifyListener> adopt(util::ScopedFd fd);

    int fd() const { return m_fd.get(); }

    // Synchronous wake-up (Linux 6.6): fails with EINVAL on older kernels.
    util::Expected<void> enable_sync_wakeup();

    // Blocks until a trapped call arrives. ENOENT means its caller died before it could be
    // received (nothing to answer); EINTR a signal.
    util::Expected<Notification> receive();

    // Whether `id` still names a live, unanswered call: checked before touching the caller's
    // memory, since its pid may have been reused by then.
    bool still_pending(std::uint64_t id) const;

    // The answers. ENOENT from any of them means the caller is gone.
    util::Expected<void> allow(std::uint64_t id);
    util::Expected<void> fail(std::uint64_t id, int errno_value);
    util::Expected<void> succeed(std::uint64_t id, std::int64_t value);
    // Installs `fd` in the caller without answering (descriptors a recvmsg passed); returns
    // the caller's number for it.
    util::Expected<int> add_fd(std::uint64_t id, int fd, bool close_on_exec);
    // Installs `fd` in the caller and, atomically, answers its call with the new number.
    util::Expected<int> succeed_with_fd(std::uint64_t id, int fd, bool close_on_exec);

private:
    NotifyListener(util::ScopedFd fd, std::size_t notif_size, std::size_t response_size);
    util::Expected<void> respond(const seccomp_notif_resp& response);
    util::Expected<int> install_fd(std::uint64_t id, int fd, bool close_on_exec,
                                   std::uint32_t flags);

    util::ScopedFd m_fd;
    std::vector<unsigned char> m_notif;    // the kernel's seccomp_notif, at least ours
    std::vector<unsigned char> m_response; // the kernel's seccomp_notif_resp, at least ours
};

} // namespace asocat::capture
