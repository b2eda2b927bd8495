// What a traced descriptor is, learned once from the supervisor's duplicate when a stream is
// first used: the kind recorded for its stream (tcp, udp, unix, pipe, tty, file, device), the
// endpoints of a socket, the path /proc names, and how the supervisor can perform a call on it
// without blocking itself.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <sys/types.h>

#include "session/capture_events.hpp"

namespace asocat::capture {

// How a data call is attempted without blocking the supervisor.
enum class IoMode {
    socket,       // MSG_DONTWAIT
    nowait,       // preadv2/pwritev2 with RWF_NOWAIT (pipes)
    regular_file, // performed directly: a regular file never waits for a peer
    readiness,    // ttys, FIFOs, devices: non-blocking for the duration of the call
    passthrough,  // signalfd, eventfd, timerfd...: what a read returns depends on the caller
                  // (a signalfd yields the reader's signals), and no session data moves
                  // through them: the call is let through, and no stream is recorded
};

struct DescriptorKind {
    std::string kind;
    IoMode mode = IoMode::readiness;
    std::optional<std::string> path;
    std::optional<session::Endpoint> local;
    std::optional<session::Endpoint> peer;
    bool stream_socket = false; // SOCK_STREAM or SOCK_SEQPACKET: shutdown means EOF
    bool active_open = false;   // connected by the caller (its SYN is in the TCP counters)
    bool listening = false;     // a listening socket: it moves no bytes of its own
    dev_t device = 0;
    ino_t inode = 0;
};

// `borrowed` is the supervisor's duplicate of descriptor `fd` of process `pid`.
DescriptorKind classify_descriptor(int borrowed, pid_t pid, int fd);

// The local or peer address of a socket (getsockname/getpeername), if it has one.
std::optional<session::Endpoint> socket_name(int socket, bool peer);

// A sockaddr's bytes as an endpoint (nullopt if they do not form one).
std::optional<session::Endpoint> endpoint_of(std::string_view sockaddr_bytes);

// The bytes a TCP socket moved, from the kernel's own counters (for the meta level, where data
// calls are not trapped): in = received and read (received minus the receive queue), out =
// written (acknowledged plus the send queue). nullopt if `socket` is not TCP.
struct KernelCounts {
    std::uint64_t in = 0;
    std::uint64_t out = 0;
};
std::optional<KernelCounts> tcp_counts(int socket, bool active_open);

// "tcp", "udp", "unix-stream", ... for a socket's domain and type.
std::string socket_transport(int socket);

} // namespace asocat::capture
