#include "capture/data_call.hpp"

#include <limits.h>

#include <cerrno>
#include <cstring>
#include <string>
#include <sys/socket.h>
#include <sys/syscall.h>
#include <sys/uio.h>

#include "capture/tracee_memory.hpp"

namespace asocat::capture {
namespace {

// The iovec array of readv/writev/preadv/pwritev, read from the caller in one copy.
util::Expected<std::vector<MemoryRange>> iovecs(const NotifyListener& listener,
                                                const Notification& call, std::uint64_t address,
                                                std::uint64_t count) {
    if (static_cast<std::int64_t>(count) < 0 || count > IOV_MAX) {
        return util::Error("an iovec count the kernel refuses", EINVAL);
    }
    auto raw = read_tracee(listener, call, address, count * sizeof(iovec));
    if (!raw) {
        return raw.error();
    }
    std::vector<MemoryRange> ranges(count);
    std::uint64_t total = 0;
    for (std::uint64_t i = 0; i < count; ++i) {
        iovec v{};
        std::memcpy(&v, raw->data() + i * sizeof(iovec), sizeof v);
        ranges[i] = {reinterpret_cast<std::uintptr_t>(v.iov_base), v.iov_len};
        // The kernel refuses a total that does not fit ssize_t.
        if (v.iov_len > static_cast<std::uint64_t>(SSIZE_MAX) - total) {
            return util::Error("iovec lengths that overflow", EINVAL);
        }
        total += v.iov_len;
    }
    return ranges;
}

// recvmsg/sendmsg: the msghdr, its iovecs and (for sendmsg) its control data, each read once.
util::Expected<void> message(const NotifyListener& listener, const Notification& call,
                             DataCall& d) {
    d.message_header = call.data.args[1];
    d.flags = static_cast<int>(call.data.args[2]);
    auto raw = read_tracee(listener, call, d.message_header, sizeof(msghdr));
    if (!raw) {
        return raw.error();
    }
    msghdr header{};
    std::memcpy(&header, raw->data(), sizeof header);
    auto ranges =
        iovecs(listener, call, reinterpret_cast<std::uintptr_t>(header.msg_iov), header.msg_iovlen);
    if (!ranges) {
        return ranges.error();
    }
    d.buffers = std::move(*ranges);
    d.peer_address = reinterpret_cast<std::uintptr_t>(header.msg_name);
    d.peer_length = header.msg_namelen;
    d.control = {reinterpret_cast<std::uintptr_t>(header.msg_control), header.msg_controllen};
    if (d.control.length > kMaxControlBytes) {
        return util::Error("control data larger than the capture engine accepts", EINVAL);
    }
    if (d.direction == Direction::out && d.control.length > 0) {
        auto control = read_tracee(listener, call, d.control.address, d.control.length);
        if (!control) {
            return control.error();
        }
        d.control_bytes = std::move(*control);
        for_each_right(d.control_bytes, [&](int& fd) { d.passed_fds.push_back(fd); });
    }
    return {};
}

} // namespace

void for_each_right(std::string& control, const std::function<void(int&)>& visit) {
    msghdr walk{};
    walk.msg_control = control.data();
    walk.msg_controllen = control.size();
    for (cmsghdr* c = CMSG_FIRSTHDR(&walk); c != nullptr; c = CMSG_NXTHDR(&walk, c)) {
        if (c->cmsg_level != SOL_SOCKET || c->cmsg_type != SCM_RIGHTS ||
            c->cmsg_len < CMSG_LEN(0)) {
            continue;
        }
        const std::size_t count = (c->cmsg_len - CMSG_LEN(0)) / sizeof(int);
        for (std::size_t i = 0; i < count; ++i) {
            int fd = -1;
            std::memcpy(&fd, CMSG_DATA(c) + i * sizeof(int), sizeof fd);
            visit(fd);
            std::memcpy(CMSG_DATA(c) + i * sizeof(int), &fd, sizeof fd);
        }
    }
}

std::uint64_t DataCall::total() const {
    std::uint64_t sum = 0;
    for (const auto& range : buffers) {
        sum += range.length;
    }
    return sum;
}

util::Expected<std::optional<DataCall>> decode_data_call(const NotifyListener& listener,
                                                         const Notification& call) {
    const auto& a = call.data.args;
    DataCall d;
    d.fd = static_cast<int>(a[0]);
    const auto plain = [&](Direction direction) {
        d.direction = direction;
        d.buffers = {{a[1], a[2]}};
    };
    const auto vectored = [&](Direction direction) -> util::Expected<void> {
        d.direction = direction;
        auto ranges = iovecs(listener, call, a[1], a[2]);
        if (!ranges) {
            return ranges.error();
        }
        d.buffers = std::move(*ranges);
        return {};
    };
    switch (call.data.nr) {
    case SYS_read:
        plain(Direction::in);
        break;
    case SYS_write:
        plain(Direction::out);
        break;
    case SYS_pread64:
        plain(Direction::in);
        d.offset = static_cast<std::int64_t>(a[3]);
        break;
    case SYS_pwrite64:
        plain(Direction::out);
        d.offset = static_cast<std::int64_t>(a[3]);
        break;
    case SYS_readv:
    case SYS_writev:
    case SYS_preadv:
    case SYS_pwritev: {
        const bool in = call.data.nr == SYS_readv || call.data.nr == SYS_preadv;
        if (auto done = vectored(in ? Direction::in : Direction::out); !done) {
            return done.error();
        }
        if (call.data.nr == SYS_preadv || call.data.nr == SYS_pwritev) {
            // Passed as (low, high), but on 64-bit kernels the low register holds all of it and
            // the high one is shifted out (pos_from_hilo): read it as the kernel does.
            d.offset = static_cast<std::int64_t>(a[3]);
        }
        break;
    }
    case SYS_recvfrom:
    case SYS_sendto:
        plain(call.data.nr == SYS_recvfrom ? Direction::in : Direction::out);
        d.flags = static_cast<int>(a[3]);
        d.peer_address = a[4];
        d.peer_length = a[5];
        break;
    case SYS_recvmsg:
    case SYS_sendmsg:
        d.direction = call.data.nr == SYS_recvmsg ? Direction::in : Direction::out;
        if (auto done = message(listener, call, d); !done) {
            return done.error();
        }
        break;
    default:
        return std::optional<DataCall>();
    }
    return std::optional<DataCall>(std::move(d));
}

} // namespace asocat::capture
