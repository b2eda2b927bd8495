#include <catch2/catch.hpp>

#include "evidence/checkpoint.hpp"

using namespace asocat::evidence;

TEST_CASE("checkpoint bodies round-trip", "[checkpoint]") {
    Checkpoint c;
    c.origin = "vm/audited-socat/0f0e0d0c-0b0a-4908-8706-050403020100";
    c.size = 20852163;
    for (std::size_t i = 0; i < c.root.size(); ++i) {
        c.root[i] = static_cast<std::uint8_t>(i);
    }
    c.extensions = {"time 1796423008"};
    const std::string body = c.body();
    CHECK(body == "vm/audited-socat/0f0e0d0c-0b0a-4908-8706-050403020100\n20852163\n"
                  "AAECAwQFBgcICQoLDA0ODxAREhMUFRYXGBkaGxwdHh8=\ntime 1796423008\n");
    auto parsed = parse_checkpoint(body);
    REQUIRE(parsed);
    CHECK(parsed->origin == c.origin);
    CHECK(parsed->size == c.size);
    CHECK(parsed->root == c.root);
    CHECK(parsed->extensions == c.extensions);
}

TEST_CASE("checkpoint parsing is strict", "[checkpoint]") {
    const std::string root = "AAECAwQFBgcICQoLDA0ODxAREhMUFRYXGBkaGxwdHh8=";
    CHECK(parse_checkpoint("o\n0\n" + root + "\n"));
    CHECK_FALSE(parse_checkpoint("o\n007\n" + root + "\n"));
    CHECK_FALSE(parse_checkpoint("o\n-1\n" + root + "\n"));
    CHECK_FALSE(parse_checkpoint("o\n1 \n" + root + "\n"));
    CHECK_FALSE(parse_checkpoint("o\n18446744073709551616\n" + root + "\n"));
    CHECK_FALSE(parse_checkpoint("o\n1\nAAAA\n"));
    CHECK_FALSE(parse_checkpoint("o\n1\n" + root));
    CHECK_FALSE(parse_checkpoint("o\n1\n" + root + "\n\nx\n"));
    CHECK_FALSE(parse_checkpoint("o\n1\n"));
}
