#include <catch2/catch.hpp>

#include "util/utf8.hpp"

using asocat::util::is_valid_utf8;
using asocat::util::to_utf8_lossy;

TEST_CASE("valid UTF-8 is accepted") {
    CHECK(is_valid_utf8(""));
    CHECK(is_valid_utf8("plain ascii"));
    CHECK(is_valid_utf8("\xC3\xA9"));         // U+00E9
    CHECK(is_valid_utf8("\xE2\x82\xAC"));     // U+20AC
    CHECK(is_valid_utf8("\xF0\x9F\x98\x80")); // U+1F600
    CHECK(is_valid_utf8("\xF4\x8F\xBF\xBF")); // U+10FFFF, the last code point
    CHECK(is_valid_utf8(std::string("nul\0inside", 10)));
}

TEST_CASE("invalid UTF-8 is rejected") {
    CHECK_FALSE(is_valid_utf8("\xFF"));
    CHECK_FALSE(is_valid_utf8("\x80"));             // lone continuation
    CHECK_FALSE(is_valid_utf8("\xC3"));             // truncated
    CHECK_FALSE(is_valid_utf8("\xC0\xAF"));         // overlong '/'
    CHECK_FALSE(is_valid_utf8("\xE0\x80\xAF"));     // overlong
    CHECK_FALSE(is_valid_utf8("\xF0\x80\x80\xAF")); // overlong
    CHECK_FALSE(is_valid_utf8("\xED\xA0\x80"));     // surrogate U+D800
    CHECK_FALSE(is_valid_utf8("\xED\xBF\xBF"));     // surrogate U+DFFF
    CHECK_FALSE(is_valid_utf8("\xF4\x90\x80\x80")); // U+110000
    CHECK_FALSE(is_valid_utf8("\xF5\x80\x80\x80"));
    CHECK_FALSE(is_valid_utf8("ok\xE2\x82")); // truncated at the end
}

TEST_CASE("lossy conversion replaces each bad byte with U+FFFD and keeps the rest") {
    CHECK(to_utf8_lossy("a\xFF"
                        "b") == "a\xEF\xBF\xBD"
                                "b");
    CHECK(to_utf8_lossy("\xC3\xA9\xC3") == "\xC3\xA9\xEF\xBF\xBD");
    CHECK(to_utf8_lossy("\xED\xA0\x80") == "\xEF\xBF\xBD\xEF\xBF\xBD\xEF\xBF\xBD");
    CHECK(is_valid_utf8(to_utf8_lossy("\x80\x81\xFE\xFF\xC0")));
}
