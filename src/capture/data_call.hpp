// A trapped call that moves bytes, taken apart: which descriptor, which way, which pieces of
// the caller's memory (the iovec array of readv/writev is itself read from the caller, once),
// and the extras of pread/pwrite and recvfrom/sendto. The supervisor performs the call from
// this description, never from the caller's memory a second time.
#pragma once

#include <cstdint>
#include <functional>
#include <optional>
#include <string>
#include <vector>

#include "capture/notify_listener.hpp"
#include "util/error.hpp"

namespace asocat::capture {

enum class Direction { in, out }; // into the caller's memory, or out of it

struct MemoryRange {
    std::uint64_t address = 0;
    std::uint64_t length = 0;
};

// Control data larger than this is refused (the kernel's own limit, net.core.optmem_max, is
// 20-128 KiB by default).
inline constexpr std::uint64_t kMaxControlBytes = 256 * 1024;

struct DataCall {
    int fd = -1;
    Direction direction = Direction::in;
    std::vector<MemoryRange> buffers;   // in order; their lengths add up to total()
    std::optional<std::int64_t> offset; // pread64/pwrite64/preadv/pwritev
    int flags = 0;                      // recvfrom/sendto/recvmsg/sendmsg
    std::uint64_t peer_address = 0;     // the sockaddr pointer (0 if none)
    // sendto/sendmsg/recvmsg: its length (recvmsg: the room for it); recvfrom: the pointer to
    // the socklen_t the kernel updates.
    std::uint64_t peer_length = 0;
    // recvmsg/sendmsg: the msghdr (the kernel writes msg_namelen, msg_controllen and
    // msg_flags back into it on receive), and the control buffer.
    std::uint64_t message_header = 0;
    MemoryRange control;
    // sendmsg: the control data as read (once), and the descriptors its SCM_RIGHTS messages
    // pass, as the caller numbers them.
    std::string control_bytes;
    std::vector<int> passed_fds;

    std::uint64_t total() const;
};

// Visits every descriptor number in the SCM_RIGHTS messages of `control`, in order, walked as
// the kernel walks it; `visit` may replace the number in place.
void for_each_right(std::string& control, const std::function<void(int&)>& visit);

// The description of `call`, or nullopt if it is not one of the calls handled here (the mmsg
// forms come later). Errors: EINVAL for an iovec count the kernel would refuse (negative or
// above IOV_MAX), lengths that overflow, or a control buffer above kMaxControlBytes; EFAULT
// for unreadable iovec arrays, message headers or control data; ENOENT if the call is no
// longer pending.
util::Expected<std::optional<DataCall>> decode_data_call(const NotifyListener& listener,
                                                         const Notification& call);

} // namespace asocat::capture
