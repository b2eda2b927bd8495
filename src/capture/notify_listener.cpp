#include "capture/notify_listener.hpp"

#include <fcntl.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <cstring>
#include <sys/ioctl.h>
#include <sys/syscall.h>

#include "capture/seccomp_abi.hpp"

namespace asocat::capture {

NotifyListener::NotifyListener(util::ScopedFd fd, std::size_t notif_size, std::size_t response_size)
    : m_fd(std::move(fd)), m_notif(std::max(notif_size, sizeof(seccomp_notif))),
      m_response(std::max(response_size, sizeof(seccomp_notif_resp))) {}

util::Expected<NotifyListener> NotifyListener::adopt(util::ScopedFd fd) {
    seccomp_notif_sizes sizes{};
    if (::syscall(SYS_seccomp, SECCOMP_GET_NOTIF_SIZES, 0, &sizes) != 0) {
        return util::Error::from_errno("this kernel has no seccomp user notification");
    }
    return NotifyListener(std::move(fd), sizes.seccomp_notif, sizes.seccomp_notif_resp);
}

util::Expected<void> NotifyListener::enable_sync_wakeup() {
    if (::ioctl(m_fd.get(), SECCOMP_IOCTL_NOTIF_SET_FLAGS, kNotifyFdSyncWakeUp) != 0) {
        return util::Error::from_errno(
            "this kernel cannot hand seccomp notifications over synchronously (Linux 6.6 or "
            "later is needed)");
    }
    return {};
}

util::Expected<Notification> NotifyListener::receive() {
    std::fill(m_notif.begin(), m_notif.end(), 0); // RECV requires a zeroed buffer
    if (::ioctl(m_fd.get(), SECCOMP_IOCTL_NOTIF_RECV, m_notif.data()) != 0) {
        return util::Error::from_errno("cannot receive a seccomp notification");
    }
    seccomp_notif raw{};
    std::memcpy(&raw, m_notif.data(), sizeof raw);
    return Notification{raw.id, static_cast<pid_t>(raw.pid), raw.data};
}

bool NotifyListener::still_pending(std::uint64_t id) const {
    return ::ioctl(m_fd.get(), SECCOMP_IOCTL_NOTIF_ID_VALID, &id) == 0;
}

util::Expected<void> NotifyListener::respond(const seccomp_notif_resp& response) {
    std::fill(m_response.begin(), m_response.end(), 0); // fields we do not know stay zero
    std::memcpy(m_response.data(), &response, sizeof response);
    if (::ioctl(m_fd.get(), SECCOMP_IOCTL_NOTIF_SEND, m_response.data()) != 0) {
        return util::Error::from_errno("cannot answer a seccomp notification");
    }
    return {};
}

util::Expected<void> NotifyListener::allow(std::uint64_t id) {
    return respond({id, 0, 0, SECCOMP_USER_NOTIF_FLAG_CONTINUE});
}

util::Expected<void> NotifyListener::fail(std::uint64_t id, int errno_value) {
    return respond({id, 0, -errno_value, 0});
}

util::Expected<void> NotifyListener::succeed(std::uint64_t id, std::int64_t value) {
    return respond({id, value, 0, 0});
}

util::Expected<int> NotifyListener::add_fd(std::uint64_t id, int fd, bool close_on_exec) {
    return install_fd(id, fd, close_on_exec, 0);
}

util::Expected<int> NotifyListener::succeed_with_fd(std::uint64_t id, int fd, bool close_on_exec) {
    return install_fd(id, fd, close_on_exec, SECCOMP_ADDFD_FLAG_SEND);
}

util::Expected<int> NotifyListener::install_fd(std::uint64_t id, int fd, bool close_on_exec,
                                               std::uint32_t flags) {
    seccomp_notif_addfd addfd{};
    addfd.id = id;
    addfd.flags = flags;
    addfd.srcfd = static_cast<std::uint32_t>(fd);
    addfd.newfd_flags = close_on_exec ? O_CLOEXEC : 0;
    const int installed = ::ioctl(m_fd.get(), SECCOMP_IOCTL_NOTIF_ADDFD, &addfd);
    if (installed < 0) {
        return util::Error::from_errno("cannot install a descriptor in the traced process");
    }
    return installed;
}

} // namespace asocat::capture
