#include "capture/fd_passing.hpp"

#include <cerrno>
#include <cstring>
#include <sys/socket.h>

namespace asocat::capture {
namespace {

// One byte of data with room for one descriptor: what both sides of the exchange use. Not
// copyable: the header points into the object itself.
struct OneFdMessage {
    char byte = 'L';
    iovec data{&byte, 1};
    alignas(cmsghdr) char control[CMSG_SPACE(sizeof(int))] = {};
    msghdr header{nullptr, 0, &data, 1, control, sizeof control, 0};

    OneFdMessage() = default;
    OneFdMessage(const OneFdMessage&) = delete;
    OneFdMessage& operator=(const OneFdMessage&) = delete;
};

} // namespace

int send_fd(int socket, int fd) noexcept {
    OneFdMessage m;
    msghdr& message = m.header;
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
    OneFdMessage m;
    msghdr& message = m.header;
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
