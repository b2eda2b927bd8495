#include <catch2/catch.hpp>

#include "evidence/inclusion.hpp"

using namespace asocat::evidence;

TEST_CASE("proofs round-trip through the tlog-proof text form", "[inclusion]") {
    InclusionProof proof;
    proof.index = 42;
    proof.record = "{\"a\":1}";
    proof.path.resize(2);
    proof.path[0].fill(1);
    proof.path[1].fill(2);
    proof.checkpoint = "origin\n43\nroot\n\n\xE2\x80\x94 k sig\n";
    const auto text = encode_proof(proof);
    CHECK(text.rfind("c2sp.org/tlog-proof@v1\nextra eyJhIjoxfQ==\nindex 42\n", 0) == 0);
    auto back = decode_proof(text);
    REQUIRE(back);
    CHECK(back->index == 42);
    CHECK(back->record == proof.record);
    CHECK(back->path == proof.path);
    CHECK(back->checkpoint == proof.checkpoint);
}

TEST_CASE("malformed proofs are refused", "[inclusion]") {
    CHECK_FALSE(decode_proof("no blank line"));
    CHECK_FALSE(decode_proof("c2sp.org/tlog-proof@v2\nextra e30=\nindex 1\n\nnote\n"));
    CHECK_FALSE(decode_proof("c2sp.org/tlog-proof@v1\nextra e30=\nindex 01\n\nnote\n"));
    CHECK_FALSE(decode_proof("c2sp.org/tlog-proof@v1\nextra e30=\nindex 1\nAAAA\n\nnote\n"));
    CHECK_FALSE(decode_proof("c2sp.org/tlog-proof@v1\nindex 1\n\nnote\n"));
}
