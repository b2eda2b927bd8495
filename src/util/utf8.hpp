// UTF-8 as RFC 3629 defines it: no overlong forms, no surrogates (U+D800..U+DFFF), nothing above
// U+10FFFF. Records must be valid UTF-8; bytes from the outside world (argv, paths) often are
// not.
#pragma once

#include <cstddef>
#include <string>
#include <string_view>

namespace asocat::util {

bool is_valid_utf8(std::string_view bytes);

// Length of the valid UTF-8 sequence starting at bytes[pos], or 0 if the byte there does not
// start one.
std::size_t utf8_sequence_length(std::string_view bytes, std::size_t pos);

// `bytes` with every byte that is not part of a valid sequence replaced by U+FFFD.
std::string to_utf8_lossy(std::string_view bytes);

} // namespace asocat::util
