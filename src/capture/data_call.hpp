// A trapped call that moves bytes, taken apart: which descriptor, which way, which pieces of
// the caller's memory (the iovec array of readv/writev is itself read from the caller, once),
// and the extras of pread/pwrite and recvfrom/sendto. The supervisor performs the call from
// this description, never from the caller's memory a second time.
#pragma once

#include <cstdint>
#include <optional>
#include <vector>

#include "capture/notify_listener.hpp"
#include "util/error.hpp"

namespace asocat::capture {

enum class Direction { in, out }; // into the caller's memory, or out of it

struct MemoryRange {
    std::uint64_t address = 0;
    std::uint64_t length = 0;
};

struct DataCall {
    int fd = -1;
    Direction direction = Direction::in;
    std::vector<MemoryRange> buffers;   // in order; their lengths add up to total()
    std::optional<std::int64_t> offset; // pread64/pwrite64/preadv/pwritev
    int flags = 0;                      // recvfrom/sendto
    std::uint64_t peer_address = 0;     // recvfrom/sendto: the sockaddr pointer (0 if none)
    std::uint64_t peer_length = 0;      // sendto: its length; recvfrom: the socklen_t pointer

    std::uint64_t total() const;
};

// The description of `call`, or nullopt if it is not one of the calls handled here (recvmsg,
// sendmsg and the mmsg forms carry control data and are taken apart elsewhere). Errors: EINVAL
// for an iovec count the kernel would refuse (negative or above IOV_MAX) or lengths that
// overflow, EFAULT for an unreadable iovec array, ENOENT if the call is no longer pending.
util::Expected<std::optional<DataCall>> decode_data_call(const NotifyListener& listener,
                                                         const Notification& call);

} // namespace asocat::capture
