// Wall-clock and monotonic time as records need them.
#pragma once

#include <cstddef>
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

// RFC 3339 in UTC with nanoseconds: 2026-12-04T22:10:58.123456789Z. Throws std::out_of_range
// for a time RFC 3339 cannot spell (a year outside 0000-9999, nanoseconds outside 0-999999999).
std::string rfc3339(const WallTime& t);
// The same into `out`, which holds kRfc3339Size chars; returns kRfc3339Size.
inline constexpr std::size_t kRfc3339Size = 30;
std::size_t format_rfc3339(const WallTime& t, char* out);

// Parses exactly the form rfc3339() writes (UTC, nine fractional digits); nullopt otherwise.
std::optional<WallTime> parse_rfc3339(std::string_view text);

} // namespace asocat::util
