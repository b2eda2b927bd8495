// Reading typed values out of a parsed TOML table, with errors that name the file, line and
// column of the offending key and say what would be accepted.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>
#include <toml++/toml.h>
#include <vector>

#include "util/error.hpp"

namespace asocat::config {

// "FILE:LINE:COLUMN" of `region`.
std::string where(const std::string& origin, const toml::source_region& region);
util::Error key_error(const std::string& origin, const toml::key& key, const std::string& what);

// A string that is an absolute path.
util::Expected<std::string> absolute_path(const std::string& origin, const toml::key& key,
                                          const toml::node& node);
// A non-empty string without control characters, at most `max_bytes` long.
util::Expected<std::string> plain_string(const std::string& origin, const toml::key& key,
                                         const toml::node& node, std::size_t max_bytes = 1024);
// One such string, or an array of them (at least one).
util::Expected<std::vector<std::string>> string_list(const std::string& origin,
                                                     const toml::key& key, const toml::node& node);
// A number of at least `minimum`; with `seconds`, seconds (possibly fractional) become
// milliseconds and `minimum` is in milliseconds.
util::Expected<std::int64_t> positive(const std::string& origin, const toml::key& key,
                                      const toml::node& node, bool seconds, std::int64_t minimum);
util::Expected<bool> boolean(const std::string& origin, const toml::key& key,
                             const toml::node& node);

} // namespace asocat::config
