// Performs a traced process's data call on the supervisor's duplicate of its descriptor, with
// the supervisor's own buffers: what is recorded is then exactly what moved. A first attempt
// never blocks the supervisor (MSG_DONTWAIT, RWF_NOWAIT, or a readiness poll); when it would
// block, the caller parks the call until the descriptor is ready and tries again.
#pragma once

#include <fcntl.h>

#include <cerrno>
#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "capture/data_call.hpp"
#include "capture/descriptor_kind.hpp"
#include "util/scoped_fd.hpp"

namespace asocat::capture {

// What a call into the process returned: its result (bytes, or -errno), the bytes to copy into
// the caller's buffers, and for recvfrom/recvmsg the sender's address, the control data and
// the message flags.
struct Received {
    std::int64_t result = 0;
    std::string data;
    std::string peer;
    std::string control;
    int message_flags = 0;
    std::vector<util::ScopedFd> passed; // SCM_RIGHTS descriptors, now the supervisor's
};

// -EAGAIN from these means "would block" only if `would_block` says so: the caller's own
// descriptor may be non-blocking, and then EAGAIN is its answer.
inline constexpr std::int64_t kWouldBlock = -EAGAIN;

// `nr`: the syscall; `want`: how many bytes the caller's buffers hold (capped by the caller).
Received perform_receive(int fd, IoMode mode, int nr, const DataCall& call, std::size_t want,
                         std::size_t peer_room);

// Sends `payload` (gathered from the caller) with `peer` (sendto/sendmsg) and `control`
// (sendmsg, descriptor numbers already the supervisor's). Returns bytes sent or -errno.
std::int64_t perform_send(int fd, IoMode mode, int nr, const DataCall& call,
                          std::string_view payload, std::string_view peer,
                          std::string_view control);

// Whether descriptor `fd`'s open file is non-blocking (then EAGAIN is the caller's answer).
bool is_nonblocking(int fd);

// Runs `call` with `fd`'s open file made non-blocking for its duration, for calls that have no
// non-blocking form (connect, accept, tty and FIFO reads and writes): the supervisor never
// waits in a call, it parks the caller instead. The file is shared with the caller (and any
// process that inherited it), which sees the flag only for this one call.
template <typename Call>
auto without_waiting(int fd, Call call) {
    const int flags = ::fcntl(fd, F_GETFL);
    const bool toggle = flags >= 0 && (flags & O_NONBLOCK) == 0;
    if (toggle) {
        (void)::fcntl(fd, F_SETFL, flags | O_NONBLOCK);
    }
    const auto result = call();
    const int err = errno;
    if (toggle) {
        (void)::fcntl(fd, F_SETFL, flags);
    }
    errno = err;
    return result;
}

} // namespace asocat::capture
