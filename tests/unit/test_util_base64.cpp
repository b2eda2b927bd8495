#include <catch2/catch.hpp>
#include <string>
#include <string_view>

#include "util/base64.hpp"

using asocat::util::base64_decode;
using asocat::util::base64_encode;

TEST_CASE("base64 matches the RFC 4648 test vectors") {
    CHECK(base64_encode("") == "");
    CHECK(base64_encode("f") == "Zg==");
    CHECK(base64_encode("fo") == "Zm8=");
    CHECK(base64_encode("foo") == "Zm9v");
    CHECK(base64_encode("foob") == "Zm9vYg==");
    CHECK(base64_encode("fooba") == "Zm9vYmE=");
    CHECK(base64_encode("foobar") == "Zm9vYmFy");
    CHECK(base64_encode(std::string("\xFF\xFE\x00", 3)) == "//4A");
}

TEST_CASE("base64 decoding is strict and round-trips") {
    for (const std::string bytes : {"", "f", "fo", "foo", "foob", "fooba", "foobar"}) {
        CHECK(base64_decode(base64_encode(bytes)) == bytes);
    }
    CHECK(base64_decode("//4A") == std::string("\xFF\xFE\x00", 3));
    CHECK_FALSE(base64_decode("Zg"));     // missing padding
    CHECK_FALSE(base64_decode("Zg=a"));   // padding then data
    CHECK_FALSE(base64_decode("Zh=="));   // non-canonical: unused bits set
    CHECK_FALSE(base64_decode("Zm9=="));  // wrong length
    CHECK_FALSE(base64_decode("Zm-v"));   // URL alphabet
    CHECK_FALSE(base64_decode("Zm9v\n")); // whitespace
    CHECK_FALSE(base64_decode("===="));
}

TEST_CASE("base64 into a caller's buffer is the same encoding, sized by base64_size") {
    using asocat::util::base64_size;
    for (const std::string_view bytes : {"", "f", "fo", "foo", "foob", "fooba", "foobar"}) {
        std::string out(base64_size(bytes.size()), '?');
        CHECK(asocat::util::base64_encode_to(bytes, out.data()) == out.size());
        CHECK(out == asocat::util::base64_encode(bytes));
    }
    CHECK(base64_size(32) == 44);
}

TEST_CASE("base64 decoding into a caller's buffer agrees with base64_decode") {
    using asocat::util::base64_decode_to;
    using asocat::util::base64_decoded_capacity;
    for (const std::string_view text :
         {"", "Zg==", "Zm8=", "Zm9v", "Zm9vYmFy",
          "Zm9=", "Zg=", "Z===", "Zm9v!A==", "AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA="}) {
        std::string out(base64_decoded_capacity(text.size()), '?');
        const auto size = base64_decode_to(text, out.data());
        const auto whole = base64_decode(text);
        REQUIRE(size.has_value() == whole.has_value());
        if (size) {
            CHECK(out.substr(0, *size) == *whole);
        }
    }
}
