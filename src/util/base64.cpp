#include "util/base64.hpp"

#include <array>
#include <cstdint>

namespace asocat::util {

std::size_t base64_encode_to(std::string_view bytes, char* out) {
    static constexpr char alphabet[] =
        "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
    char* const begin = out;
    std::size_t i = 0;
    const auto byte = [&](std::size_t k) {
        return static_cast<std::uint32_t>(static_cast<std::uint8_t>(bytes[k]));
    };
    for (; i + 3 <= bytes.size(); i += 3) {
        const std::uint32_t v = byte(i) << 16 | byte(i + 1) << 8 | byte(i + 2);
        *out++ = alphabet[v >> 18 & 63];
        *out++ = alphabet[v >> 12 & 63];
        *out++ = alphabet[v >> 6 & 63];
        *out++ = alphabet[v & 63];
    }
    const std::size_t rest = bytes.size() - i;
    if (rest != 0) {
        const std::uint32_t v = byte(i) << 16 | (rest == 2 ? byte(i + 1) << 8 : 0);
        *out++ = alphabet[v >> 18 & 63];
        *out++ = alphabet[v >> 12 & 63];
        *out++ = rest == 2 ? alphabet[v >> 6 & 63] : '=';
        *out++ = '=';
    }
    return static_cast<std::size_t>(out - begin);
}

std::string base64_encode(std::string_view bytes) {
    std::string out(base64_size(bytes.size()), '\0');
    base64_encode_to(bytes, out.data());
    return out;
}

std::optional<std::size_t> base64_decode_to(std::string_view text, char* out) {
    if (text.size() % 4 != 0) {
        return std::nullopt;
    }
    // Hashes are decoded for every record verified: a table, not branches.
    static constexpr auto table = [] {
        std::array<std::int8_t, 256> t{};
        t.fill(-1);
        for (int i = 0; i < 64; ++i) {
            t[static_cast<unsigned char>(
                "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/"[i])] =
                static_cast<std::int8_t>(i);
        }
        return t;
    }();
    const auto value = [](char c) -> int { return table[static_cast<unsigned char>(c)]; };
    char* const begin = out;
    for (std::size_t i = 0; i < text.size(); i += 4) {
        const bool last = i + 4 == text.size();
        const int pad = last ? (text[i + 3] == '=') + (text[i + 2] == '=') : 0;
        if (pad == 1 && text[i + 2] == '=') {
            return std::nullopt; // "x=" followed by a non-pad character
        }
        std::uint32_t v = 0;
        for (int k = 0; k < 4 - pad; ++k) {
            const int d = value(text[i + static_cast<std::size_t>(k)]);
            if (d < 0) {
                return std::nullopt;
            }
            v |= static_cast<std::uint32_t>(d) << (18 - 6 * k);
        }
        *out++ = static_cast<char>(v >> 16 & 0xFF);
        if (pad < 2) {
            *out++ = static_cast<char>(v >> 8 & 0xFF);
        }
        if (pad < 1) {
            *out++ = static_cast<char>(v & 0xFF);
        }
        // Non-canonical: bits below the last encoded byte must be zero.
        if ((pad == 1 && (v & 0xFF) != 0) || (pad == 2 && (v & 0xFFFF) != 0)) {
            return std::nullopt;
        }
    }
    return static_cast<std::size_t>(out - begin);
}

std::optional<std::string> base64_decode(std::string_view text) {
    std::string out(base64_decoded_capacity(text.size()), '\0');
    const auto size = base64_decode_to(text, out.data());
    if (!size) {
        return std::nullopt;
    }
    out.resize(*size);
    return out;
}

std::string base64url_encode(std::string_view bytes) {
    std::string out = base64_encode(bytes);
    while (!out.empty() && out.back() == '=') {
        out.pop_back();
    }
    for (char& c : out) {
        c = c == '+' ? '-' : c == '/' ? '_' : c;
    }
    return out;
}

std::optional<std::string> base64url_decode(std::string_view text) {
    std::string standard;
    standard.reserve(text.size() + 3);
    for (const char c : text) {
        if (c == '+' || c == '/' || c == '=') {
            return std::nullopt; // not in the URL-safe alphabet, or padding
        }
        standard.push_back(c == '-' ? '+' : c == '_' ? '/' : c);
    }
    standard.append((4 - standard.size() % 4) % 4, '=');
    return base64_decode(standard);
}

} // namespace asocat::util
