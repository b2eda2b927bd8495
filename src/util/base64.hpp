// RFC 4648 base64 with padding, for bytes that a JSON string cannot carry exactly.
#pragma once

#include <string>
#include <string_view>

namespace asocat::util {

std::string base64_encode(std::string_view bytes);

} // namespace asocat::util
