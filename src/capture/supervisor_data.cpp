// The supervisor's data calls: bytes into a caller (read, recv*) and out of it (write, send*),
// performed on the supervisor's duplicate of the caller's descriptor and counted (and hashed)
// exactly as they moved.
#include <csignal>
#include <cstddef>
#include <cstring>
#include <sys/epoll.h>
#include <sys/socket.h>
#include <sys/syscall.h>

#include "capture/as_caller.hpp"
#include "capture/call_performer.hpp"
#include "capture/supervisor.hpp"
#include "capture/tracee_memory.hpp"

namespace asocat::capture {
namespace {

// A caller asking for more than this in one call gets a short count, as a signal could give
// it; it bounds the supervisor's buffers.
constexpr std::uint64_t kMaxCallBytes = 4 * 1024 * 1024;

bool gone(const util::Error& error) {
    return error.errno_value() == ENOENT;
}

} // namespace

void Supervisor::data_call(const Notification& call, Handling handling) {
    auto decoded = decode_data_call(m_listener, call);
    if (!decoded) {
        if (!gone(decoded.error())) {
            answer(call, -decoded.error().errno_value());
        }
        return;
    }
    if (!*decoded) {
        refuse(call, m_catalogue[static_cast<std::size_t>(call.data.nr)]->name);
        return;
    }
    const auto borrowed = borrow_or_answer(call, (*decoded)->fd);
    if (!borrowed) {
        return;
    }
    Parked parked;
    parked.op = handling == Handling::move_in ? ParkedOp::receive : ParkedOp::send;
    parked.call = call;
    parked.data = std::move(**decoded);
    parked.borrowed = *borrowed;
    if (parked.op == ParkedOp::receive) {
        receive(parked);
        return;
    }
    const DataCall& d = parked.data;
    std::uint64_t room = std::min(d.total(), kMaxCallBytes);
    for (const auto& range : d.buffers) {
        if (room == 0) {
            break;
        }
        const std::uint64_t length = std::min(range.length, room);
        if (auto read = append_tracee(m_listener, call, range.address, length, parked.payload);
            !read) {
            if (!gone(read.error())) {
                answer(call, -EFAULT);
            }
            return;
        }
        room -= length;
    }
    const bool addressed = call.data.nr == SYS_sendto || call.data.nr == SYS_sendmsg;
    if (addressed && d.peer_address != 0 && d.peer_length > 0) {
        if (d.peer_length > sizeof(sockaddr_storage)) {
            answer(call, -EINVAL);
            return;
        }
        auto peer = read_tracee(m_listener, call, d.peer_address, d.peer_length);
        if (!peer) {
            if (!gone(peer.error())) {
                answer(call, -EFAULT);
            }
            return;
        }
        parked.peer = std::move(*peer);
    }
    parked.control = d.control_bytes;
    bool lent = true;
    for_each_right(parked.control, [&](int& fd) {
        auto own = lent ? m_borrowed.borrow(m_listener, call, fd) : util::Expected<int>(-1);
        lent = lent && own.has_value();
        fd = lent ? *own : -1;
    });
    if (!lent) {
        answer(call, -EBADF);
        return;
    }
    send(parked);
}

void Supervisor::moved(StreamTable::Stream& stream, bool in, std::string_view bytes) {
    m_streams.moved(stream, in, bytes);
    if (m_streams.payload_due()) {
        store_payload(false);
    }
}

void Supervisor::receive(Parked& parked) {
    const Notification& call = parked.call;
    const DataCall& d = parked.data;
    const int nr = call.data.nr;
    StreamTable::Stream* stream = stream_for(call, d.fd, parked.borrowed);
    if (stream == nullptr) {
        allow(call);
        return;
    }
    std::size_t peer_room = 0;
    if (nr == SYS_recvfrom && d.peer_address != 0 && d.peer_length != 0) {
        auto room = read_tracee(m_listener, call, d.peer_length, sizeof(socklen_t));
        if (!room) {
            if (!gone(room.error())) {
                answer(call, -EFAULT);
            }
            return;
        }
        socklen_t value = 0;
        std::memcpy(&value, room->data(), sizeof value);
        peer_room = value;
    } else if (nr == SYS_recvmsg && d.peer_address != 0) {
        peer_room = d.peer_length;
    }
    const std::size_t want = std::min(d.total(), kMaxCallBytes);
    Received got =
        perform_receive(parked.borrowed, stream->description.mode, nr, d, want, peer_room);
    // MSG_DONTWAIT never waits, nor does a read of the error queue (socat reads it after a
    // failed connect).
    const bool caller_waits =
        (nr != SYS_recvfrom && nr != SYS_recvmsg) || (d.flags & (MSG_DONTWAIT | MSG_ERRQUEUE)) == 0;
    if (got.result == kWouldBlock && caller_waits && !is_nonblocking(parked.borrowed)) {
        park(std::move(parked), EPOLLIN);
        return;
    }
    if (got.result < 0) {
        answer(call, got.result);
        return;
    }
    if ((d.flags & MSG_PEEK) == 0 || (nr != SYS_recvfrom && nr != SYS_recvmsg)) {
        moved(*stream, true, got.data);
    }
    if (!got.peer.empty() && !stream->description.stream_socket) {
        StreamTable::saw_peer(*stream, endpoint_of(got.peer));
    }
    // Descriptors a recvmsg brought along go into the caller, numbered as it will see them.
    std::size_t next_passed = 0;
    bool installed = true;
    for_each_right(got.control, [&](int& fd) {
        auto number = installed && next_passed < got.passed.size()
                          ? m_listener.add_fd(call.id, got.passed[next_passed].get(),
                                              (d.flags & MSG_CMSG_CLOEXEC) != 0)
                          : util::Expected<int>(util::Error("not installed", EBADF));
        ++next_passed;
        installed = installed && number.has_value();
        fd = installed ? *number : -1;
    });
    std::size_t offset = 0;
    for (const auto& range : d.buffers) {
        if (offset == got.data.size()) {
            break;
        }
        const std::size_t n = std::min<std::size_t>(range.length, got.data.size() - offset);
        if (auto copied = write_tracee(m_listener, call, range.address,
                                       std::string_view(got.data).substr(offset, n));
            !copied) {
            if (!gone(copied.error())) {
                answer(call, -EFAULT);
            }
            return;
        }
        offset += n;
    }
    const auto put = [&](std::uint64_t address, std::string_view bytes) {
        return address == 0 || write_tracee(m_listener, call, address, bytes).has_value();
    };
    bool delivered = true;
    if (nr == SYS_recvfrom && d.peer_address != 0 && d.peer_length != 0) {
        const auto length = static_cast<socklen_t>(got.peer.size());
        delivered = put(d.peer_address, std::string_view(got.peer).substr(0, peer_room)) &&
                    put(d.peer_length, {reinterpret_cast<const char*>(&length), sizeof length});
    } else if (nr == SYS_recvmsg) {
        const auto name_length = static_cast<socklen_t>(d.peer_address != 0 ? got.peer.size() : 0);
        const std::size_t control_length = got.control.size();
        const int flags = got.message_flags;
        delivered = (d.peer_address == 0 ||
                     put(d.peer_address, std::string_view(got.peer).substr(0, peer_room))) &&
                    put(d.control.address, got.control) &&
                    put(d.message_header + offsetof(msghdr, msg_namelen),
                        {reinterpret_cast<const char*>(&name_length), sizeof name_length}) &&
                    put(d.message_header + offsetof(msghdr, msg_controllen),
                        {reinterpret_cast<const char*>(&control_length), sizeof control_length}) &&
                    put(d.message_header + offsetof(msghdr, msg_flags),
                        {reinterpret_cast<const char*>(&flags), sizeof flags});
    }
    answer(call, delivered ? got.result : -EFAULT);
}

void Supervisor::send(Parked& parked) {
    const Notification& call = parked.call;
    const DataCall& d = parked.data;
    StreamTable::Stream* stream = stream_for(call, d.fd, parked.borrowed);
    if (stream == nullptr) {
        allow(call); // nothing was moved yet: a passthrough descriptor is known at once
        return;
    }
    const std::string_view remaining = std::string_view(parked.payload).substr(parked.sent);
    const std::int64_t n = [&] {
        const AsCaller here(call.pid, parked.peer); // sendto a relative unix path
        return perform_send(parked.borrowed, stream->description.mode, call.data.nr, d, remaining,
                            parked.peer, parked.control);
    }();
    const bool addressed = call.data.nr == SYS_sendto || call.data.nr == SYS_sendmsg;
    // Asked only when the answer matters: otherwise it is one more system call per write.
    const auto blocking = [&] {
        return (!addressed || (d.flags & MSG_DONTWAIT) == 0) && !is_nonblocking(parked.borrowed);
    };
    if (n == kWouldBlock && blocking()) {
        park(std::move(parked), EPOLLOUT);
        return;
    }
    if (n < 0) {
        if (parked.sent > 0) {
            answer(call, static_cast<std::int64_t>(parked.sent));
            return;
        }
        // A write to a peer that is gone raises SIGPIPE in the writer: the supervisor ignores
        // its own, so the caller's is raised here (unless it asked for MSG_NOSIGNAL).
        if (n == -EPIPE && (!addressed || (d.flags & MSG_NOSIGNAL) == 0)) {
            (void)::syscall(SYS_tgkill, call.pid, call.pid, SIGPIPE);
        }
        answer(call, n);
        return;
    }
    moved(*stream, false, remaining.substr(0, static_cast<std::size_t>(n)));
    parked.sent += static_cast<std::size_t>(n);
    parked.control.clear(); // control data goes with the first bytes only
    if (parked.sent < parked.payload.size() && n > 0 &&
        stream->description.mode != IoMode::regular_file && blocking()) {
        park(std::move(parked), EPOLLOUT);
        return;
    }
    answer(call, static_cast<std::int64_t>(parked.sent));
}

} // namespace asocat::capture

namespace asocat::capture {
namespace {

// How much one emulated transfer moves at most (the caller sees a short count, as it may).
constexpr std::uint64_t kMaxTransferBytes = 64 * 1024;

} // namespace

void Supervisor::transfer_call(const Notification& call) {
    const auto& a = call.data.args;
    Parked parked;
    parked.op = ParkedOp::transfer;
    parked.call = call;
    Transfer& t = parked.transfer;
    if (call.data.nr == SYS_sendfile) {
        t = {static_cast<int>(a[1]), static_cast<int>(a[0]), -1, -1, a[2], 0, 0, 0, a[3], false};
    } else { // splice, copy_file_range
        t = {static_cast<int>(a[0]), static_cast<int>(a[2]), -1, -1, a[1], a[3], 0, 0, a[4], false};
    }
    for (auto [at, value] :
         {std::pair{t.in_offset_at, &t.in_offset}, std::pair{t.out_offset_at, &t.out_offset}}) {
        if (at == 0) {
            continue;
        }
        auto raw = read_tracee(m_listener, call, at, sizeof(std::int64_t));
        if (!raw) {
            if (!gone(raw.error())) {
                answer(call, -EFAULT);
            }
            return;
        }
        std::memcpy(value, raw->data(), sizeof(std::int64_t));
    }
    const auto in = borrow_or_answer(call, t.in);
    if (!in) {
        return;
    }
    const auto out = borrow_or_answer(call, t.out);
    if (!out) {
        return;
    }
    t.borrowed_in = *in;
    t.borrowed_out = *out;
    transfer_read(parked);
}

void Supervisor::transfer_read(Parked& parked) {
    const Notification& call = parked.call;
    Transfer& t = parked.transfer;
    StreamTable::Stream* source = stream_for(call, t.in, t.borrowed_in);
    if (source == nullptr || stream_for(call, t.out, t.borrowed_out) == nullptr) {
        allow(call);
        return;
    }
    DataCall read;
    read.fd = t.in;
    read.buffers = {{0, std::min(t.length, kMaxTransferBytes)}};
    if (t.in_offset_at != 0) {
        read.offset = t.in_offset;
    }
    const Received got =
        perform_receive(t.borrowed_in, source->description.mode,
                        t.in_offset_at != 0 ? SYS_pread64 : SYS_read, read, read.total(), 0);
    if (got.result == kWouldBlock && !is_nonblocking(t.borrowed_in)) {
        parked.borrowed = t.borrowed_in;
        park(std::move(parked), EPOLLIN);
        return;
    }
    if (got.result <= 0) {
        answer(call, got.result);
        return;
    }
    moved(*source, true, got.data);
    parked.payload = got.data;
    parked.sent = 0;
    t.writing = true;
    transfer_write(parked);
}

void Supervisor::transfer_write(Parked& parked) {
    const Notification& call = parked.call;
    Transfer& t = parked.transfer;
    StreamTable::Stream* sink = stream_for(call, t.out, t.borrowed_out);
    while (parked.sent < parked.payload.size()) {
        DataCall write;
        write.fd = t.out;
        if (t.out_offset_at != 0) {
            write.offset = t.out_offset + static_cast<std::int64_t>(parked.sent);
        }
        const auto rest = std::string_view(parked.payload).substr(parked.sent);
        const std::int64_t n =
            perform_send(t.borrowed_out, sink->description.mode,
                         t.out_offset_at != 0 ? SYS_pwrite64 : SYS_write, write, rest, {}, {});
        if (n == kWouldBlock) {
            // The bytes are read already: they are written even to a non-blocking descriptor.
            parked.borrowed = t.borrowed_out;
            park(std::move(parked), EPOLLOUT);
            return;
        }
        if (n <= 0) {
            if (parked.sent == 0) {
                if (n == -EPIPE) {
                    (void)::syscall(SYS_tgkill, call.pid, call.pid, SIGPIPE);
                }
                answer(call, n);
                return;
            }
            break;
        }
        moved(*sink, false, rest.substr(0, static_cast<std::size_t>(n)));
        parked.sent += static_cast<std::size_t>(n);
    }
    const auto moved = static_cast<std::int64_t>(parked.sent);
    for (auto [at, value] : {std::pair{t.in_offset_at, t.in_offset + moved},
                             std::pair{t.out_offset_at, t.out_offset + moved}}) {
        if (at != 0 && !write_tracee(m_listener, call, at,
                                     {reinterpret_cast<const char*>(&value), sizeof value})) {
            answer(call, -EFAULT);
            return;
        }
    }
    answer(call, moved);
}

} // namespace asocat::capture
