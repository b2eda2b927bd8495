// The hot loop of every JSON string scan: finding the next byte of string content that is not
// plain printable ASCII. Shared by the strict reader and the verifier's canonical scanner.
#pragma once

#include <array>
#include <bit>
#include <cstddef>
#include <cstdint>
#include <cstring>
#include <string_view>

namespace asocat::record {

// Bytes a string can hold as they are: everything but '"', '\\', controls and non-ASCII.
inline constexpr std::array<bool, 256> kPlainStringByte = [] {
    std::array<bool, 256> plain{};
    for (std::size_t b = 0x20; b < 0x80; ++b) {
        plain[b] = b != '"' && b != '\\';
    }
    return plain;
}();

// Nonzero if a byte of `word` needs a look: '"', '\\', below 0x20 or above 0x7F. The lowest
// flagged byte is exact; bytes above it may be flagged falsely (borrows), so only it counts.
inline std::uint64_t special_string_bytes(std::uint64_t word) {
    constexpr std::uint64_t ones = 0x0101010101010101;
    constexpr std::uint64_t highs = 0x8080808080808080;
    const auto zero_bytes = [](std::uint64_t v) { return (v - ones) & ~v & highs; };
    return (word & highs) | ((word - ones * 0x20) & ~word & highs) |
           zero_bytes(word ^ (ones * '"')) | zero_bytes(word ^ (ones * '\\'));
}

// The first byte at or after `pos` that is not plain string content (or text.size()). Eight
// bytes at a time: record strings are mostly long plain runs (times, ids, paths, hashes).
inline std::size_t end_of_plain_run(std::string_view text, std::size_t pos) {
    if constexpr (std::endian::native == std::endian::little) {
        while (text.size() - pos >= 8) {
            std::uint64_t word = 0;
            std::memcpy(&word, text.data() + pos, sizeof word);
            const std::uint64_t special = special_string_bytes(word);
            if (special != 0) {
                return pos + static_cast<std::size_t>(std::countr_zero(special)) / 8;
            }
            pos += 8;
        }
    }
    while (pos < text.size() && kPlainStringByte[static_cast<unsigned char>(text[pos])]) {
        ++pos;
    }
    return pos;
}

} // namespace asocat::record
