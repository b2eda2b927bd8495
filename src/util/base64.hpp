// RFC 4648 base64 with padding, for bytes that a JSON string cannot carry exactly; and its
// URL-safe form without padding (section 5), as JOSE (JWT, JWK) writes binary values.
#pragma once

#include <cstddef>
#include <optional>
#include <string>
#include <string_view>

namespace asocat::util {

std::string base64_encode(std::string_view bytes);

// Characters the encoding of `n` bytes takes.
constexpr std::size_t base64_size(std::size_t n) {
    return (n + 2) / 3 * 4;
}
// Writes the encoding to `out` (base64_size(bytes.size()) chars) and returns its length.
std::size_t base64_encode_to(std::string_view bytes, char* out);

// Strict decoding: standard alphabet, padding required, and only the canonical encoding of the
// result is accepted (unused bits must be zero), so every value has exactly one text form.
std::optional<std::string> base64_decode(std::string_view text);

// Bytes base64_decode_to may write for `n` characters of text.
constexpr std::size_t base64_decoded_capacity(std::size_t n) {
    return n / 4 * 3;
}
// The same decoding into `out` (base64_decoded_capacity(text.size()) bytes); returns how many
// bytes it holds, or nullopt (then `out` holds garbage).
std::optional<std::size_t> base64_decode_to(std::string_view text, char* out);

// base64url without padding ('-' and '_' for '+' and '/').
std::string base64url_encode(std::string_view bytes);
// Strict like base64_decode: the URL-safe alphabet only, no padding, canonical.
std::optional<std::string> base64url_decode(std::string_view text);

} // namespace asocat::util
