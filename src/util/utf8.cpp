#include "util/utf8.hpp"

#include <cstdint>
#include <cstring>

namespace asocat::util {

std::size_t utf8_sequence_length(std::string_view bytes, std::size_t pos) {
    const auto at = [&](std::size_t i) { return static_cast<std::uint8_t>(bytes[i]); };
    const std::size_t left = bytes.size() - pos;
    const std::uint8_t b0 = at(pos);
    if (b0 < 0x80) {
        return 1;
    }
    const auto continuation = [&](std::size_t i) { return (at(i) & 0xC0) == 0x80; };
    if (b0 >= 0xC2 && b0 <= 0xDF) {
        return left >= 2 && continuation(pos + 1) ? 2 : 0;
    }
    if (b0 >= 0xE0 && b0 <= 0xEF) {
        if (left < 3 || !continuation(pos + 1) || !continuation(pos + 2)) {
            return 0;
        }
        const std::uint8_t b1 = at(pos + 1);
        if (b0 == 0xE0 && b1 < 0xA0) {
            return 0; // overlong
        }
        if (b0 == 0xED && b1 > 0x9F) {
            return 0; // UTF-16 surrogate
        }
        return 3;
    }
    if (b0 >= 0xF0 && b0 <= 0xF4) {
        if (left < 4 || !continuation(pos + 1) || !continuation(pos + 2) ||
            !continuation(pos + 3)) {
            return 0;
        }
        const std::uint8_t b1 = at(pos + 1);
        if (b0 == 0xF0 && b1 < 0x90) {
            return 0; // overlong
        }
        if (b0 == 0xF4 && b1 > 0x8F) {
            return 0; // above U+10FFFF
        }
        return 4;
    }
    return 0;
}

bool is_valid_utf8(std::string_view bytes) {
    std::size_t pos = 0;
    while (pos < bytes.size()) {
        // ASCII fast path, eight bytes at a time: records are mostly ASCII.
        while (pos + 8 <= bytes.size()) {
            std::uint64_t block;
            std::memcpy(&block, bytes.data() + pos, sizeof block);
            if ((block & 0x8080808080808080ULL) != 0) {
                break;
            }
            pos += 8;
        }
        if (pos >= bytes.size()) {
            break;
        }
        if (static_cast<std::uint8_t>(bytes[pos]) < 0x80) {
            ++pos;
            continue;
        }
        const std::size_t n = utf8_sequence_length(bytes, pos);
        if (n == 0) {
            return false;
        }
        pos += n;
    }
    return true;
}

std::string to_utf8_lossy(std::string_view bytes) {
    std::string out;
    out.reserve(bytes.size());
    std::size_t pos = 0;
    while (pos < bytes.size()) {
        const std::size_t n = utf8_sequence_length(bytes, pos);
        if (n == 0) {
            out += "\xEF\xBF\xBD"; // U+FFFD REPLACEMENT CHARACTER
            ++pos;
        } else {
            out.append(bytes.substr(pos, n));
            pos += n;
        }
    }
    return out;
}

} // namespace asocat::util
