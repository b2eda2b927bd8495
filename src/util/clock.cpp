#include "util/clock.hpp"

#include <time.h>

#include <chrono>
#include <cstdio>

namespace asocat::util {

WallTime wall_now() {
    timespec ts{};
    ::clock_gettime(CLOCK_REALTIME, &ts);
    return {ts.tv_sec, ts.tv_nsec};
}

std::int64_t monotonic_ns() {
    timespec ts{};
    ::clock_gettime(CLOCK_MONOTONIC, &ts);
    return static_cast<std::int64_t>(ts.tv_sec) * 1'000'000'000 + ts.tv_nsec;
}

std::string rfc3339(const WallTime& t) {
    // Civil date from the calendar alone: gmtime_r would load /etc/localtime for nothing.
    using namespace std::chrono;
    const sys_seconds instant{seconds{t.seconds}};
    const sys_days day = floor<days>(instant);
    const year_month_day date{day};
    const hh_mm_ss time{instant - day};
    char buffer[48];
    std::snprintf(buffer, sizeof buffer, "%04d-%02u-%02uT%02d:%02d:%02d.%09lldZ",
                  static_cast<int>(date.year()), static_cast<unsigned>(date.month()),
                  static_cast<unsigned>(date.day()), static_cast<int>(time.hours().count()),
                  static_cast<int>(time.minutes().count()),
                  static_cast<int>(time.seconds().count()), static_cast<long long>(t.nanoseconds));
    return buffer;
}

std::optional<WallTime> parse_rfc3339(std::string_view text) {
    // 2026-12-04T22:10:58.123456789Z
    if (text.size() != 30 || text[4] != '-' || text[7] != '-' || text[10] != 'T' ||
        text[13] != ':' || text[16] != ':' || text[19] != '.' || text[29] != 'Z') {
        return std::nullopt;
    }
    const auto number = [&](std::size_t at, std::size_t digits) -> std::optional<long long> {
        long long value = 0;
        for (std::size_t i = at; i < at + digits; ++i) {
            if (text[i] < '0' || text[i] > '9') {
                return std::nullopt;
            }
            value = value * 10 + (text[i] - '0');
        }
        return value;
    };
    const auto year = number(0, 4), month = number(5, 2), day = number(8, 2);
    const auto hour = number(11, 2), minute = number(14, 2), second = number(17, 2);
    const auto nanos = number(20, 9);
    if (!year || !month || !day || !hour || !minute || !second || !nanos || *hour > 23 ||
        *minute > 59 || *second > 59) {
        return std::nullopt;
    }
    using namespace std::chrono;
    const year_month_day date{std::chrono::year{static_cast<int>(*year)},
                              std::chrono::month{static_cast<unsigned>(*month)},
                              std::chrono::day{static_cast<unsigned>(*day)}};
    if (!date.ok()) {
        return std::nullopt;
    }
    const auto seconds_since_epoch =
        sys_days(date).time_since_epoch().count() * 86400LL + *hour * 3600 + *minute * 60 + *second;
    return WallTime{seconds_since_epoch, *nanos};
}

} // namespace asocat::util
