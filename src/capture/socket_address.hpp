// Socket addresses as the capture engine records them, decoded from the raw sockaddr bytes a
// traced process passed or received (so nothing is resolved, and nothing is trusted: a length
// that does not fit its family is reported, not read past).
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

namespace asocat::capture {

struct SocketAddress {
    enum class Family { unspecified, inet, inet6, unix_path, unix_abstract, unix_unnamed, other };
    Family family = Family::unspecified;
    // inet: dotted quad; inet6: RFC 5952 text (with %scope when set); unix_path: the path bytes
    // (may not be UTF-8: records keep exact bytes); unix_abstract: the name without its leading
    // NUL; other: empty.
    std::string address;
    std::uint16_t port = 0; // inet, inet6
    int family_number = 0;  // the raw sa_family, for `other`
};

// `bytes` as the kernel would read them with addrlen == bytes.size(). nullopt if too short for
// its family (the kernel would fail such a call with EINVAL).
std::optional<SocketAddress> decode_socket_address(std::string_view bytes);

// "inet", "inet6", "unix", ... for records.
std::string_view family_name(SocketAddress::Family family);

} // namespace asocat::capture
