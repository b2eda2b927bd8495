#include <arpa/inet.h>
#include <catch2/catch.hpp>
#include <cstddef>
#include <cstring>
#include <netinet/in.h>
#include <string>
#include <sys/socket.h>
#include <sys/un.h>

#include "capture/socket_address.hpp"

using asocat::capture::decode_socket_address;
using asocat::capture::family_name;
using Family = asocat::capture::SocketAddress::Family;

namespace {

template <class T>
std::string bytes_of(const T& value, std::size_t length = sizeof(T)) {
    return std::string(reinterpret_cast<const char*>(&value), length);
}

} // namespace

TEST_CASE("inet and inet6 addresses decode to text and port", "[capture]") {
    sockaddr_in in{};
    in.sin_family = AF_INET;
    in.sin_port = htons(8443);
    REQUIRE(::inet_pton(AF_INET, "10.0.0.5", &in.sin_addr) == 1);
    auto a = decode_socket_address(bytes_of(in));
    REQUIRE(a);
    CHECK(a->family == Family::inet);
    CHECK(a->address == "10.0.0.5");
    CHECK(a->port == 8443);
    CHECK(family_name(a->family) == "inet");
    CHECK_FALSE(decode_socket_address(bytes_of(in, sizeof in - 1))); // EINVAL for the kernel

    sockaddr_in6 in6{};
    in6.sin6_family = AF_INET6;
    in6.sin6_port = htons(53);
    in6.sin6_scope_id = 2;
    REQUIRE(::inet_pton(AF_INET6, "fe80::1", &in6.sin6_addr) == 1);
    auto b = decode_socket_address(bytes_of(in6));
    REQUIRE(b);
    CHECK(b->family == Family::inet6);
    CHECK(b->address == "fe80::1%2");
    CHECK(b->port == 53);
}

TEST_CASE("unix addresses: paths (exact bytes), abstract names, unnamed", "[capture]") {
    sockaddr_un un{};
    un.sun_family = AF_UNIX;
    const std::string path = "/run/sock\xff";
    std::memcpy(un.sun_path, path.data(), path.size());
    const std::size_t path_offset = offsetof(sockaddr_un, sun_path);
    // With its NUL, and cut at the length given without one.
    auto a = decode_socket_address(bytes_of(un, path_offset + path.size() + 1));
    REQUIRE(a);
    CHECK(a->family == Family::unix_path);
    CHECK(a->address == path);
    auto cut = decode_socket_address(bytes_of(un, path_offset + 4));
    REQUIRE(cut);
    CHECK(cut->address == "/run");

    sockaddr_un abstract{};
    abstract.sun_family = AF_UNIX;
    std::memcpy(abstract.sun_path, "\0name\0x", 7);
    auto b = decode_socket_address(bytes_of(abstract, path_offset + 7));
    REQUIRE(b);
    CHECK(b->family == Family::unix_abstract);
    CHECK(b->address == std::string("name\0x", 6)); // every byte counts in an abstract name
    CHECK(family_name(b->family) == "unix");

    auto c = decode_socket_address(bytes_of(un, path_offset));
    REQUIRE(c);
    CHECK(c->family == Family::unix_unnamed);
    CHECK(c->address.empty());
}

TEST_CASE("other families and truncated input", "[capture]") {
    sa_family_t netlink = AF_NETLINK;
    auto a = decode_socket_address(bytes_of(netlink));
    REQUIRE(a);
    CHECK(a->family == Family::other);
    CHECK(a->family_number == AF_NETLINK);
    CHECK_FALSE(decode_socket_address(std::string(1, '\x02')));
    CHECK_FALSE(decode_socket_address(""));
}
