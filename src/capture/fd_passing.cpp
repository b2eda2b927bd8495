#include "capture/fd_passing.hpp"

#include <cerrno>
#include <cstring>
#include <sys/socket.h>

namespace asocat::capture {

int send_fd(int socket, int fd) noexcept {
    char byte = 'L';
    iovec data{&byte, 1};
    alignas(cmsghdr) char control[CMSG_SPACE(sizeof(int))] = {};
    msghdr message{};
    message.msg_iov = &data;
    message.msg_iovlen = 1;
    message.msg_control = control;
    message.msg_controllen = sizeof control;
    cmsghdr* header = CMSG_FIRSTHDR(&message);
    header->cmsg_level = SOL_SOCKET;
    header->cmsg_type = SCM_RIGHTS;
    header->cmsg_len = CMSG_LEN(sizeof(int));
    std::memcpy(CMSG_DATA(header), &fd, sizeof fd);
    for (;;) {
        if (::sendmsg(socket, &message, MSG_NOSIGNAL) == 1) {
            return 0;
        }
        if (errno != EINTR) {
            return errno;
        }
    }
}

util::Expected<util::ScopedFd> receive_fd(int socket) {
    char byte = 0;
    iovec data{&byte, 1};
    alignas(cmsghdr) char control[CMSG_SPACE(sizeof(int))] = {};
    msghdr message{};
    message.msg_iov = &data;
    message.msg_iovlen = 1;
    message.msg_control = control;
    message.msg_controllen = sizeof control;
    ssize_t received = -1;
    do {
        received = ::recvmsg(socket, &message, MSG_CMSG_CLOEXEC);
    } while (received < 0 && errno == EINTR);
    if (received < 0) {
        return util::Error::from_errno("cannot receive a descriptor");
    }
    if (received == 0) {
        return util::Error("the sender closed the channel before sending a descriptor", ECONNRESET);
    }
    const cmsghdr* header = CMSG_FIRSTHDR(&message);
    util::ScopedFd received_fd; // owned at once, so a refused message leaks nothing
    if (header != nullptr && header->cmsg_level == SOL_SOCKET && header->cmsg_type == SCM_RIGHTS &&
        header->cmsg_len >= CMSG_LEN(sizeof(int))) {
        int fd = -1;
        std::memcpy(&fd, CMSG_DATA(header), sizeof fd);
        received_fd.reset(fd);
    }
    if (!received_fd || (message.msg_flags & MSG_CTRUNC) != 0 ||
        header->cmsg_len != CMSG_LEN(sizeof(int))) {
        return util::Error("a message without exactly one descriptor", EPROTO);
    }
    return received_fd;
}

} // namespace asocat::capture
