// RFC 4648 base64 with padding, for bytes that a JSON string cannot carry exactly.
#pragma once

#include <optional>
#include <string>
#include <string_view>

namespace asocat::util {

std::string base64_encode(std::string_view bytes);

// Strict decoding: standard alphabet, padding required, and only the canonical encoding of the
// result is accepted (unused bits must be zero), so every value has exactly one text form.
std::optional<std::string> base64_decode(std::string_view text);

} // namespace asocat::util
