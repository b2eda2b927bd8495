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

} // namespace asocat::util
