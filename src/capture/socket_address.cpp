#include "capture/socket_address.hpp"

#include <arpa/inet.h>
#include <cstddef>
#include <cstring>
#include <netinet/in.h>
#include <sys/socket.h>
#include <sys/un.h>

namespace asocat::capture {

std::optional<SocketAddress> decode_socket_address(std::string_view bytes) {
    SocketAddress out;
    if (bytes.size() < sizeof(sa_family_t)) {
        return std::nullopt;
    }
    sa_family_t family = 0;
    std::memcpy(&family, bytes.data(), sizeof family);
    out.family_number = family;
    switch (family) {
    case AF_UNSPEC:
        return out;
    case AF_INET: {
        if (bytes.size() < sizeof(sockaddr_in)) {
            return std::nullopt;
        }
        sockaddr_in in{};
        std::memcpy(&in, bytes.data(), sizeof in);
        char text[INET_ADDRSTRLEN];
        ::inet_ntop(AF_INET, &in.sin_addr, text, sizeof text);
        out.family = SocketAddress::Family::inet;
        out.address = text;
        out.port = ntohs(in.sin_port);
        return out;
    }
    case AF_INET6: {
        if (bytes.size() < sizeof(sockaddr_in6)) {
            return std::nullopt;
        }
        sockaddr_in6 in6{};
        std::memcpy(&in6, bytes.data(), sizeof in6);
        char text[INET6_ADDRSTRLEN];
        ::inet_ntop(AF_INET6, &in6.sin6_addr, text, sizeof text);
        out.family = SocketAddress::Family::inet6;
        out.address = text;
        if (in6.sin6_scope_id != 0) {
            out.address += "%" + std::to_string(in6.sin6_scope_id);
        }
        out.port = ntohs(in6.sin6_port);
        return out;
    }
    case AF_UNIX: {
        // The path is what follows the family, up to the length given, cut at the first NUL
        // (the kernel does the same); a leading NUL makes the rest an abstract name, bytes
        // and all; no path at all is an unnamed socket.
        constexpr std::size_t path_offset = offsetof(sockaddr_un, sun_path);
        const std::string_view path = bytes.substr(path_offset, sizeof(sockaddr_un::sun_path));
        if (path.empty()) {
            out.family = SocketAddress::Family::unix_unnamed;
        } else if (path[0] == '\0') {
            out.family = SocketAddress::Family::unix_abstract;
            out.address = std::string(path.substr(1));
        } else {
            out.family = SocketAddress::Family::unix_path;
            out.address = std::string(path.substr(0, path.find('\0')));
        }
        return out;
    }
    default:
        out.family = SocketAddress::Family::other;
        return out;
    }
}

std::string_view family_name(SocketAddress::Family family) {
    switch (family) {
    case SocketAddress::Family::unspecified:
        return "unspecified";
    case SocketAddress::Family::inet:
        return "inet";
    case SocketAddress::Family::inet6:
        return "inet6";
    case SocketAddress::Family::unix_path:
    case SocketAddress::Family::unix_abstract:
    case SocketAddress::Family::unix_unnamed:
        return "unix";
    case SocketAddress::Family::other:
        return "other";
    }
    return "other";
}

} // namespace asocat::capture
