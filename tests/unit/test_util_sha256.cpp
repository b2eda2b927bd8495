#include <catch2/catch.hpp>

#include "util/sha256.hpp"

using asocat::util::Sha256;
using asocat::util::sha256;
using asocat::util::to_hex;

TEST_CASE("SHA-256 matches the FIPS 180-2 vectors") {
    CHECK(to_hex(sha256("")) == "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855");
    CHECK(to_hex(sha256("abc")) ==
          "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad");
    CHECK(to_hex(sha256("abcdbcdecdefdefgefghfghighijhijkijkljklmklmnlmnomnopnopq")) ==
          "248d6a61d20638b8e5c026930c3e6039a33ce45964ff2167f6ecedd419db06c1");
}

TEST_CASE("incremental hashing equals one-shot hashing and the hasher can be reused") {
    Sha256 hasher;
    const std::string million(1000000, 'a');
    for (std::size_t i = 0; i < million.size(); i += 4093) {
        hasher.update(std::string_view(million).substr(i, 4093));
    }
    CHECK(to_hex(hasher.finish()) ==
          "cdc76e5c9914fb9281a1c7e284d73e67f1809a48a497200e046d39ccc7112cd0");
    hasher.update("abc");
    CHECK(to_hex(hasher.finish()) == to_hex(sha256("abc")));
}
