#include "capture/descriptor_kind.hpp"

#include <fcntl.h>
#include <termios.h>
#include <unistd.h>

#include <cerrno>
#include <cstddef>
#include <linux/sockios.h>
#include <linux/tcp.h>
#include <netinet/in.h>
#include <sys/ioctl.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/un.h>

#include "capture/socket_address.hpp"
#include "util/procfs.hpp"

namespace asocat::capture {
namespace {

int socket_option(int socket, int option) {
    int value = -1;
    socklen_t length = sizeof value;
    return ::getsockopt(socket, SOL_SOCKET, option, &value, &length) == 0 ? value : -1;
}

bool is_terminal(int fd) {
    termios settings{};
    return ::ioctl(fd, TCGETS, &settings) == 0;
}

} // namespace

std::optional<session::Endpoint> endpoint_of(std::string_view sockaddr_bytes) {
    const auto decoded = decode_socket_address(sockaddr_bytes);
    if (!decoded) {
        return std::nullopt;
    }
    session::Endpoint endpoint;
    endpoint.family = std::string(family_name(decoded->family));
    endpoint.address = decoded->address;
    switch (decoded->family) {
    case SocketAddress::Family::inet:
    case SocketAddress::Family::inet6:
        endpoint.port = decoded->port;
        break;
    case SocketAddress::Family::unix_abstract:
        endpoint.abstract = true;
        break;
    case SocketAddress::Family::other:
        endpoint.family_number = decoded->family_number;
        break;
    default:
        break;
    }
    return endpoint;
}

std::optional<session::Endpoint> socket_name(int socket, bool peer) {
    sockaddr_storage address{};
    socklen_t length = sizeof address;
    auto* raw = reinterpret_cast<sockaddr*>(&address);
    if ((peer ? ::getpeername(socket, raw, &length) : ::getsockname(socket, raw, &length)) != 0) {
        return std::nullopt;
    }
    return endpoint_of({reinterpret_cast<const char*>(&address), length});
}

std::optional<KernelCounts> tcp_counts(int socket, bool active_open) {
    tcp_info info{};
    socklen_t length = sizeof info;
    if (::getsockopt(socket, IPPROTO_TCP, TCP_INFO, &info, &length) != 0 ||
        length < offsetof(tcp_info, tcpi_bytes_received) + sizeof info.tcpi_bytes_received) {
        return std::nullopt;
    }
    int unread = 0;
    int unsent = 0;
    if (::ioctl(socket, SIOCINQ, &unread) != 0 || ::ioctl(socket, SIOCOUTQ, &unsent) != 0) {
        return std::nullopt;
    }
    // Both counters advance by one for a FIN, the acknowledged count also for our own SYN (it takes
    // a sequence number), and the send queue holds our FIN until it is acknowledged: the state
    // tells which FINs there were. A reset socket (CLOSE after RST) is counted as if it had closed
    // gracefully.
    enum : std::uint8_t {
        fin_wait1 = 4,
        fin_wait2,
        time_wait,
        close,
        close_wait,
        last_ack,
        listen,
        closing
    };
    const std::uint8_t state = info.tcpi_state;
    const bool fin_in = state == close_wait || state == closing || state == last_ack ||
                        state == time_wait || state == close;
    const bool fin_out = state == fin_wait1 || state == fin_wait2 || state == closing ||
                         state == time_wait || state == last_ack || state == close;
    const auto minus = [](std::uint64_t value, std::uint64_t less) {
        return value > less ? value - less : 0;
    };
    return KernelCounts{
        minus(info.tcpi_bytes_received, static_cast<std::uint64_t>(unread) + (fin_in ? 1 : 0)),
        minus(info.tcpi_bytes_acked + static_cast<std::uint64_t>(unsent),
              (fin_out ? 1 : 0) + (active_open ? 1 : 0))};
}

std::string socket_transport(int socket) {
    const int domain = socket_option(socket, SO_DOMAIN);
    const int type = socket_option(socket, SO_TYPE);
    if (domain == AF_INET || domain == AF_INET6) {
        switch (type) {
        case SOCK_STREAM:
            return "tcp";
        case SOCK_DGRAM:
            return "udp";
        case SOCK_RAW:
            return "raw";
        default:
            return "ip";
        }
    }
    if (domain == AF_UNIX) {
        switch (type) {
        case SOCK_STREAM:
            return "unix-stream";
        case SOCK_DGRAM:
            return "unix-dgram";
        case SOCK_SEQPACKET:
            return "unix-seqpacket";
        default:
            return "unix";
        }
    }
    return "socket";
}

DescriptorKind classify_descriptor(int borrowed, pid_t pid, int fd) {
    DescriptorKind kind;
    struct stat st {};
    if (::fstat(borrowed, &st) != 0) {
        kind.kind = "other";
        return kind;
    }
    kind.device = st.st_dev;
    kind.inode = st.st_ino;
    if (S_ISSOCK(st.st_mode)) {
        kind.mode = IoMode::socket;
        const int domain = socket_option(borrowed, SO_DOMAIN);
        const int type = socket_option(borrowed, SO_TYPE);
        kind.stream_socket = type == SOCK_STREAM || type == SOCK_SEQPACKET;
        kind.listening = socket_option(borrowed, SO_ACCEPTCONN) == 1;
        if (domain == AF_INET || domain == AF_INET6) {
            kind.kind = type == SOCK_STREAM ? "tcp" : type == SOCK_DGRAM ? "udp" : "ip";
        } else if (domain == AF_UNIX) {
            kind.kind = "unix";
        } else {
            kind.kind = "socket";
        }
        kind.local = socket_name(borrowed, false);
        kind.peer = socket_name(borrowed, true);
        return kind;
    }
    if (auto target = util::proc_fd_target(pid, fd)) {
        kind.path = std::move(*target);
    }
    if (kind.path && kind.path->rfind("anon_inode:", 0) == 0) {
        kind.kind = "event";
        kind.mode = IoMode::passthrough;
    } else if (S_ISFIFO(st.st_mode)) {
        kind.kind = "pipe";
        // An anonymous pipe honours RWF_NOWAIT; a named FIFO refuses it (EOPNOTSUPP), which
        // the performer notices and then waits for readiness instead.
        kind.mode = IoMode::nowait;
    } else if (S_ISREG(st.st_mode)) {
        kind.kind = "file";
        kind.mode = IoMode::regular_file;
    } else if (S_ISCHR(st.st_mode)) {
        kind.kind = is_terminal(borrowed) ? "tty" : "device";
    } else {
        kind.kind = "other";
    }
    return kind;
}

} // namespace asocat::capture
