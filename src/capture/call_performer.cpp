#include "capture/call_performer.hpp"

#include <fcntl.h>
#include <poll.h>
#include <unistd.h>

#include <cerrno>
#include <cstdlib>
#include <cstring>
#include <sys/socket.h>
#include <sys/syscall.h>
#include <sys/uio.h>

#ifndef RWF_NOWAIT
#define RWF_NOWAIT 0x00000008 // Linux 4.14
#endif

namespace asocat::capture {
namespace {

std::int64_t result_of(ssize_t n) {
    return n < 0 ? -static_cast<std::int64_t>(errno) : static_cast<std::int64_t>(n);
}

// O_DIRECT transfers need an aligned buffer (the caller's was aligned, or the call fails the
// same way natively); the supervisor's buffers are not, so such calls go through one that is.
constexpr std::size_t kDirectAlignment = 4096;

struct AlignedBuffer {
    char* data = nullptr;
    explicit AlignedBuffer(std::size_t size)
        : data(static_cast<char*>(
              std::aligned_alloc(kDirectAlignment, (size + kDirectAlignment - 1) /
                                                       kDirectAlignment * kDirectAlignment))) {}
    AlignedBuffer(const AlignedBuffer&) = delete;
    AlignedBuffer& operator=(const AlignedBuffer&) = delete;
    ~AlignedBuffer() { std::free(data); }
};

bool direct(int fd) {
    const int flags = ::fcntl(fd, F_GETFL);
    return flags >= 0 && (flags & O_DIRECT) != 0;
}

// Reads from a non-socket: pread-style calls keep their offset, the rest use the file position
// (offset -1), with RWF_NOWAIT where the file supports it.
std::int64_t read_file(int fd, IoMode mode, const DataCall& call, char* buffer, std::size_t want) {
    if (mode == IoMode::regular_file && want > 0 && direct(fd)) {
        AlignedBuffer aligned(want);
        if (aligned.data == nullptr) {
            return -ENOMEM;
        }
        iovec iov{aligned.data, want};
        const off_t offset = call.offset ? static_cast<off_t>(*call.offset) : -1;
        const std::int64_t n = result_of(::preadv2(fd, &iov, 1, offset, 0));
        if (n > 0) {
            std::memcpy(buffer, aligned.data, static_cast<std::size_t>(n));
        }
        return n;
    }
    iovec iov{buffer, want};
    const off_t offset = call.offset ? static_cast<off_t>(*call.offset) : -1;
    if (mode == IoMode::nowait) {
        const ssize_t n = ::preadv2(fd, &iov, 1, offset, RWF_NOWAIT);
        if (!(n < 0 && errno == EOPNOTSUPP)) {
            return result_of(n);
        }
    } else if (mode == IoMode::readiness) {
        return without_waiting(fd, [&] { return result_of(::preadv2(fd, &iov, 1, offset, 0)); });
    }
    return result_of(::preadv2(fd, &iov, 1, offset, 0));
}

std::int64_t write_file(int fd, IoMode mode, const DataCall& call, std::string_view payload) {
    if (mode == IoMode::regular_file && !payload.empty() && direct(fd)) {
        AlignedBuffer aligned(payload.size());
        if (aligned.data == nullptr) {
            return -ENOMEM;
        }
        std::memcpy(aligned.data, payload.data(), payload.size());
        iovec iov{aligned.data, payload.size()};
        const off_t offset = call.offset ? static_cast<off_t>(*call.offset) : -1;
        return result_of(::pwritev2(fd, &iov, 1, offset, 0));
    }
    iovec iov{const_cast<char*>(payload.data()), payload.size()};
    const off_t offset = call.offset ? static_cast<off_t>(*call.offset) : -1;
    if (mode == IoMode::nowait) {
        const ssize_t n = ::pwritev2(fd, &iov, 1, offset, RWF_NOWAIT);
        if (!(n < 0 && errno == EOPNOTSUPP)) {
            return result_of(n);
        }
    } else if (mode == IoMode::readiness) {
        return without_waiting(fd, [&] { return result_of(::pwritev2(fd, &iov, 1, offset, 0)); });
    }
    return result_of(::pwritev2(fd, &iov, 1, offset, 0));
}

} // namespace

bool is_nonblocking(int fd) {
    const int flags = ::fcntl(fd, F_GETFL);
    return flags >= 0 && (flags & O_NONBLOCK) != 0;
}

Received perform_receive(int fd, IoMode mode, int nr, const DataCall& call, std::size_t want,
                         std::size_t peer_room) {
    Received got;
    got.data.resize(want);
    if (mode != IoMode::socket) {
        got.result = read_file(fd, mode, call, got.data.data(), want);
    } else {
        // read/readv on a socket are recv with no flags; the caller's own flags come through
        // (MSG_PEEK, MSG_TRUNC, MSG_WAITALL ...), and the attempt never waits.
        sockaddr_storage peer{};
        iovec iov{got.data.data(), want};
        msghdr message{};
        message.msg_iov = &iov;
        message.msg_iovlen = 1;
        if (nr == SYS_recvfrom || nr == SYS_recvmsg) {
            message.msg_name = &peer;
            message.msg_namelen = sizeof peer;
        }
        if (nr == SYS_recvmsg && call.control.length > 0) {
            got.control.resize(call.control.length);
            message.msg_control = got.control.data();
            message.msg_controllen = got.control.size();
        }
        const int flags = (nr == SYS_recvfrom || nr == SYS_recvmsg ? call.flags : 0) |
                          MSG_DONTWAIT | MSG_CMSG_CLOEXEC;
        got.result = result_of(::recvmsg(fd, &message, flags));
        if (got.result >= 0) {
            got.peer.assign(reinterpret_cast<const char*>(&peer),
                            std::min<std::size_t>(message.msg_namelen, sizeof peer));
            (void)peer_room; // the caller truncates to the room it has, as the kernel does
            got.control.resize(message.msg_controllen);
            got.message_flags = message.msg_flags;
            for_each_right(got.control, [&](int& passed) { got.passed.emplace_back(passed); });
        } else {
            got.control.clear();
        }
    }
    // MSG_TRUNC on a datagram reports its full length; only what fits was read.
    got.data.resize(
        got.result > 0 ? std::min<std::size_t>(static_cast<std::size_t>(got.result), want) : 0);
    return got;
}

std::int64_t perform_send(int fd, IoMode mode, int nr, const DataCall& call,
                          std::string_view payload, std::string_view peer,
                          std::string_view control) {
    if (mode != IoMode::socket) {
        return write_file(fd, mode, call, payload);
    }
    iovec iov{const_cast<char*>(payload.data()), payload.size()};
    msghdr message{};
    message.msg_iov = &iov;
    message.msg_iovlen = 1;
    if (!peer.empty()) {
        message.msg_name = const_cast<char*>(peer.data());
        message.msg_namelen = static_cast<socklen_t>(peer.size());
    }
    if (!control.empty()) {
        message.msg_control = const_cast<char*>(control.data());
        message.msg_controllen = control.size();
    }
    // The supervisor never takes a SIGPIPE itself; the caller's is raised by the supervisor
    // when the caller did not ask for MSG_NOSIGNAL.
    const int flags =
        (nr == SYS_sendto || nr == SYS_sendmsg ? call.flags : 0) | MSG_DONTWAIT | MSG_NOSIGNAL;
    return result_of(::sendmsg(fd, &message, flags));
}

} // namespace asocat::capture
