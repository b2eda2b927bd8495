#include <catch2/catch.hpp>
#include <stdexcept>

#include "util/clock.hpp"

using asocat::util::rfc3339;

TEST_CASE("RFC 3339 timestamps are UTC with nanoseconds") {
    CHECK(rfc3339({0, 0}) == "1970-01-01T00:00:00.000000000Z");
    CHECK(rfc3339({951782400, 5}) == "2000-02-29T00:00:00.000000005Z"); // leap day
    CHECK(rfc3339({1796423008, 678532000}) == "2026-12-04T22:23:28.678532000Z");
    CHECK(rfc3339({4102444799, 999999999}) == "2099-12-31T23:59:59.999999999Z");
    CHECK(rfc3339({253402300799, 1}) == "9999-12-31T23:59:59.000000001Z");
    CHECK(rfc3339({-62167219200, 0}) == "0000-01-01T00:00:00.000000000Z");
}

TEST_CASE("times RFC 3339 cannot spell are refused, not misprinted") {
    CHECK_THROWS_AS(rfc3339({253402300800, 0}), std::out_of_range); // year 10000
    CHECK_THROWS_AS(rfc3339({-62167219201, 0}), std::out_of_range); // year -1
    CHECK_THROWS_AS(rfc3339({0, 1'000'000'000}), std::out_of_range);
    CHECK_THROWS_AS(rfc3339({0, -1}), std::out_of_range);
}

TEST_CASE("the monotonic clock does not go backwards") {
    const auto a = asocat::util::monotonic_ns();
    const auto b = asocat::util::monotonic_ns();
    CHECK(b >= a);
}

TEST_CASE("RFC 3339 timestamps parse back exactly, and nothing else parses") {
    using asocat::util::parse_rfc3339;
    for (const asocat::util::WallTime t :
         {asocat::util::WallTime{0, 0}, {951782400, 5}, {1796423008, 678532000}}) {
        const auto back = parse_rfc3339(rfc3339(t));
        REQUIRE(back);
        CHECK(back->seconds == t.seconds);
        CHECK(back->nanoseconds == t.nanoseconds);
    }
    CHECK_FALSE(parse_rfc3339("2026-12-04T22:23:28.678532Z"));
    CHECK_FALSE(parse_rfc3339("2026-12-04T22:23:28.678532000+00:00"));
    CHECK_FALSE(parse_rfc3339("2026-02-30T00:00:00.000000000Z"));
    CHECK_FALSE(parse_rfc3339("2026-12-04T24:00:00.000000000Z"));
    CHECK_FALSE(parse_rfc3339("2026-12-04 22:23:28.678532000Z"));
}
