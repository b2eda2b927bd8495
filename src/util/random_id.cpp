#include "util/random_id.hpp"

#include <array>
#include <cerrno>
#include <cstdint>
#include <sys/random.h>

#include "util/sha256.hpp"

namespace asocat::util {

Expected<std::string> random_uuid() {
    std::array<std::uint8_t, 16> bytes{};
    std::size_t have = 0;
    while (have < bytes.size()) {
        const ssize_t n = ::getrandom(bytes.data() + have, bytes.size() - have, 0);
        if (n < 0) {
            if (errno == EINTR) {
                continue;
            }
            return Error::from_errno("getrandom");
        }
        have += static_cast<std::size_t>(n);
    }
    bytes[6] = static_cast<std::uint8_t>((bytes[6] & 0x0F) | 0x40); // version 4
    bytes[8] = static_cast<std::uint8_t>((bytes[8] & 0x3F) | 0x80); // RFC 9562 variant
    const std::string hex = to_hex(bytes.data(), bytes.size());
    return hex.substr(0, 8) + "-" + hex.substr(8, 4) + "-" + hex.substr(12, 4) + "-" +
           hex.substr(16, 4) + "-" + hex.substr(20, 12);
}

} // namespace asocat::util
