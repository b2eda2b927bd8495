// Wall-clock and monotonic time as records need them.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

namespace asocat::util {

struct WallTime {
    std::int64_t seconds;     // since the Unix epoch, UTC
    std::int64_t nanoseconds; // 0..999999999
};

WallTime wall_now();
std::int64_t monotonic_ns();

// RFC 3339 in UTC with nanoseconds: 2026-12-04T22:10:58.123456789Z
std::string rfc3339(const WallTime& t);

// Parses exactly the form rfc3339() writes (UTC, nine fractional digits); nullopt otherwise.
std::optional<WallTime> parse_rfc3339(std::string_view text);

} // namespace asocat::util
