#include "util/clock.hpp"

#include <time.h>

#include <chrono>
#include <stdexcept>

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

std::size_t format_rfc3339(const WallTime& t, char* out) {
    // Civil date from the calendar alone: gmtime_r would load /etc/localtime for nothing; and
    // digits by hand, since every record carries at least one of these.
    using namespace std::chrono;
    const sys_seconds instant{seconds{t.seconds}};
    const sys_days day = floor<days>(instant);
    const year_month_day date{day};
    const hh_mm_ss time{instant - day};
    const auto digits = [&out](long long value, int count, char after) {
        for (int i = count - 1; i >= 0; --i) {
            out[i] = static_cast<char>('0' + value % 10);
            value /= 10;
        }
        out += count;
        if (after != 0) {
            *out++ = after;
        }
    };
    if (static_cast<int>(date.year()) < 0 || static_cast<int>(date.year()) > 9999 ||
        t.nanoseconds < 0 || t.nanoseconds > 999'999'999) {
        throw std::out_of_range("rfc3339: time outside what RFC 3339 can spell");
    }
    char* const begin = out;
    digits(static_cast<int>(date.year()), 4, '-');
    digits(static_cast<unsigned>(date.month()), 2, '-');
    digits(static_cast<unsigned>(date.day()), 2, 'T');
    digits(time.hours().count(), 2, ':');
    digits(time.minutes().count(), 2, ':');
    digits(time.seconds().count(), 2, '.');
    digits(t.nanoseconds, 9, 'Z');
    return static_cast<std::size_t>(out - begin);
}

std::string rfc3339(const WallTime& t) {
    char buffer[kRfc3339Size];
    return std::string(buffer, format_rfc3339(t, buffer));
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
