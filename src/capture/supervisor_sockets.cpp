// The supervisor's socket calls. Those that take an address (bind, connect) or produce a
// descriptor (accept) are performed here on the caller's socket, so the address recorded is
// the address used and the peer recorded is the peer accepted; listen and shutdown are
// performed so that their results are known. socket and socketpair only create descriptors
// and are let through; their streams are described at first use.
#include <fcntl.h>
#include <unistd.h>

#include <cerrno>
#include <cstdlib>
#include <cstring>
#include <optional>
#include <sys/epoll.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <sys/un.h>

#include "capture/as_caller.hpp"
#include "capture/call_performer.hpp"
#include "capture/supervisor.hpp"
#include "capture/tracee_memory.hpp"
#include "util/clock.hpp"
#include "util/io.hpp"

namespace asocat::capture {
namespace {} // namespace

void Supervisor::emit_socket(const Notification& call, int fd, session::SocketAction action,
                             int socket, std::int64_t result,
                             std::optional<session::Endpoint> peer) {
    session::SocketEvent event;
    event.session = m_options.session;
    event.time = util::wall_now();
    event.pid = call.pid;
    event.fd = fd;
    event.action = action;
    event.transport = socket_transport(socket);
    event.local = socket_name(socket, false);
    event.peer = peer ? std::move(peer) : socket_name(socket, true);
    event.success = result >= 0;
    if (result < 0) {
        event.error = static_cast<int>(-result);
    }
    switch (action) {
    case session::SocketAction::listen:
        event.backlog = static_cast<int>(call.data.args[1]);
        break;
    case session::SocketAction::shutdown:
        event.how = static_cast<int>(call.data.args[1]);
        break;
    case session::SocketAction::accept:
        if (result >= 0) {
            event.accepted_fd = static_cast<int>(result);
        }
        break;
    default:
        break;
    }
    if (action == session::SocketAction::connect && (result == 0 || result == -EINPROGRESS)) {
        // The descriptor's stream starts here (at the meta level no data call will start it),
        // or has new endpoints.
        auto* stream = stream_for(call, fd, socket);
        stream->description.active_open = true;
        stream->facts.local = event.local;
        stream->facts.peer = event.peer;
        remember_connection(*stream);
    }
    m_sink.emit(std::move(event));
}

void Supervisor::remember_connection(const StreamTable::Stream& stream) {
    if (m_options.level == session::CaptureLevel::meta) {
        m_connections.remember(stream.description.inode, {stream.facts.local, stream.facts.peer});
    }
}

void Supervisor::socket_call(const Notification& call) {
    const auto& a = call.data.args;
    const int nr = call.data.nr;
    if (nr == SYS_socket || nr == SYS_socketpair) {
        allow(call);
        return;
    }
    const int fd = static_cast<int>(a[0]);
    const auto borrowed = borrow_or_answer(call, fd);
    if (!borrowed) {
        return;
    }
    Parked parked;
    parked.op = ParkedOp::connect;
    parked.call = call;
    parked.borrowed = *borrowed;
    if (nr == SYS_accept || nr == SYS_accept4) {
        parked.op = ParkedOp::accept;
        accept(parked);
        return;
    }
    if (nr == SYS_listen) {
        const int result = ::listen(*borrowed, static_cast<int>(a[1]));
        const std::int64_t outcome = result == 0 ? 0 : -errno;
        emit_socket(call, fd, session::SocketAction::listen, *borrowed, outcome, std::nullopt);
        answer(call, outcome);
        return;
    }
    if (nr == SYS_shutdown) {
        const int result = ::shutdown(*borrowed, static_cast<int>(a[1]));
        const std::int64_t outcome = result == 0 ? 0 : -errno;
        if (result == 0 && (a[1] == SHUT_WR || a[1] == SHUT_RDWR)) {
            if (auto* stream = m_streams.find(call.pid, fd)) {
                stream->facts.out.eof = true;
            }
        }
        emit_socket(call, fd, session::SocketAction::shutdown, *borrowed, outcome, std::nullopt);
        answer(call, outcome);
        return;
    }
    // bind and connect: the address is read once, and that copy is what is used.
    if (a[2] > sizeof(sockaddr_storage)) {
        answer(call, -EINVAL);
        return;
    }
    auto address = read_tracee(m_listener, call, a[1], a[2]);
    if (!address) {
        if (address.error().errno_value() != ENOENT) {
            answer(call, -EFAULT);
        }
        return;
    }
    parked.peer = std::move(*address);
    if (nr == SYS_bind) {
        const AsCaller here(call.pid, parked.peer);
        const int result = ::bind(*borrowed, reinterpret_cast<const sockaddr*>(parked.peer.data()),
                                  static_cast<socklen_t>(parked.peer.size()));
        const std::int64_t outcome = result == 0 ? 0 : -errno;
        emit_socket(call, fd, session::SocketAction::bind, *borrowed, outcome, std::nullopt);
        answer(call, outcome);
        return;
    }
    if (nr == SYS_connect) {
        connect(parked, true);
        return;
    }
    allow(call);
}

void Supervisor::connect(Parked& parked, bool first_attempt) {
    const Notification& call = parked.call;
    const int fd = static_cast<int>(call.data.args[0]);
    const bool nonblocking = is_nonblocking(parked.borrowed);
    std::int64_t outcome = 0;
    if (first_attempt) {
        const AsCaller here(call.pid, parked.peer);
        const int result = without_waiting(parked.borrowed, [&] {
            return ::connect(parked.borrowed, reinterpret_cast<const sockaddr*>(parked.peer.data()),
                             static_cast<socklen_t>(parked.peer.size()));
        });
        outcome = result == 0 ? 0 : -errno;
        if (!nonblocking && (outcome == -EINPROGRESS || outcome == -EALREADY)) {
            park(std::move(parked), EPOLLOUT);
            return;
        }
    } else {
        int error = 0;
        socklen_t length = sizeof error;
        if (::getsockopt(parked.borrowed, SOL_SOCKET, SO_ERROR, &error, &length) != 0) {
            error = errno;
        }
        outcome = -error;
    }
    emit_socket(call, fd, session::SocketAction::connect, parked.borrowed, outcome,
                endpoint_of(parked.peer));
    answer(call, outcome);
}

void Supervisor::accept(Parked& parked) {
    const Notification& call = parked.call;
    const auto& a = call.data.args;
    const int fd = static_cast<int>(a[0]);
    const int flags = call.data.nr == SYS_accept4 ? static_cast<int>(a[3]) : 0;
    if ((flags & ~(SOCK_NONBLOCK | SOCK_CLOEXEC)) != 0) {
        answer(call, -EINVAL);
        return;
    }
    socklen_t room = 0;
    if (a[1] != 0) {
        auto given = read_tracee(m_listener, call, a[2], sizeof room);
        if (!given) {
            if (given.error().errno_value() != ENOENT) {
                answer(call, -EFAULT);
            }
            return;
        }
        std::memcpy(&room, given->data(), sizeof room);
    }
    const bool nonblocking = is_nonblocking(parked.borrowed);
    sockaddr_storage peer{};
    socklen_t length = sizeof peer;
    util::ScopedFd accepted(without_waiting(parked.borrowed, [&] {
        return ::accept4(parked.borrowed, reinterpret_cast<sockaddr*>(&peer), &length,
                         (flags & SOCK_NONBLOCK) | SOCK_CLOEXEC);
    }));
    if (!accepted) {
        const int err = errno;
        if (err == EAGAIN && !nonblocking) {
            park(std::move(parked), EPOLLIN);
            return;
        }
        answer(call, -err);
        return;
    }
    const std::string_view peer_bytes(reinterpret_cast<const char*>(&peer), length);
    if (a[1] != 0) {
        if (!write_tracee(m_listener, call, a[1], peer_bytes.substr(0, room)) ||
            !write_tracee(m_listener, call, a[2],
                          {reinterpret_cast<const char*>(&length), sizeof length})) {
            answer(call, -EFAULT);
            return;
        }
    }
    auto number = m_listener.succeed_with_fd(call.id, accepted.get(), (flags & SOCK_CLOEXEC) != 0);
    if (!number) {
        return; // the caller is gone; the connection closes with the supervisor's copy
    }
    // The connection's own names: a listener bound to a wildcard address has no local
    // address of its own.
    emit_socket(call, fd, session::SocketAction::accept, accepted.get(), *number,
                endpoint_of(peer_bytes));
    auto& stream =
        m_streams.open(call.pid, *number, classify_descriptor(accepted.get(), call.pid, *number));
    remember_connection(stream);
    m_borrowed.adopt(call.pid, *number, std::move(accepted));
}

} // namespace asocat::capture
