#include <catch2/catch.hpp>

#include "evidence/signed_note.hpp"
#include "util/base64.hpp"

using namespace asocat::evidence;

namespace {

Ed25519Key fresh_key() {
    auto key = Ed25519Key::generate();
    REQUIRE(key);
    return std::move(*key);
}

PinnedKey pin(const Ed25519Key& key, std::optional<std::string> name = std::nullopt) {
    auto copy = Ed25519Key::from_public(key.public_key());
    REQUIRE(copy);
    return PinnedKey::from_key(std::move(*copy), std::move(name));
}

} // namespace

TEST_CASE("a note from the C2SP signed-note specification verifies", "[note]") {
    // Published example (vkey and note are facts from c2sp.org/signed-note).
    auto pinned = PinnedKey::from_vkey(
        "example.com/foo+530d903a+AekyeRrm56hApGFkyQR4ZCbV54Id2LKaANYcrnKv3U2k");
    REQUIRE(pinned);
    const std::string note =
        "This is an example message.\n\n"
        "\xE2\x80\x94 example.com/foo "
        "Uw2QOkn8srV1yJGh2VYRlL1Tnagv1YEq6TfXppzi2ONncAlTgK7Ztg1ERYNZXsYjOBH3mFX"
        "mRKuwHjG1Yu72IneyaQM=\n";
    const auto opened = open_note(note, *pinned);
    CHECK(opened.verdict == NoteVerdict::verified);
    CHECK(opened.text == "This is an example message.\n");

    std::string tampered = note;
    tampered[5] = 'I';
    CHECK(open_note(tampered, *pinned).verdict == NoteVerdict::bad_signature);
}

TEST_CASE("vkeys encode name, key ID and key, and are checked when parsed", "[note]") {
    const auto key = fresh_key();
    const auto vkey = encode_vkey("host-7/audited-socat", key.public_key());
    auto pinned = PinnedKey::from_vkey(vkey);
    REQUIRE(pinned);
    CHECK(pinned->name() == "host-7/audited-socat");
    CHECK(pinned->key().public_key() == key.public_key());

    std::string wrong_id = vkey;
    wrong_id[wrong_id.find('+') + 1] = wrong_id[wrong_id.find('+') + 1] == '0' ? '1' : '0';
    CHECK_FALSE(PinnedKey::from_vkey(wrong_id));
    CHECK_FALSE(PinnedKey::from_vkey("no-plus-signs"));
    CHECK_FALSE(PinnedKey::from_vkey("bad name+00000000+AAAA"));
}

TEST_CASE("signing and opening notes", "[note]") {
    const auto key = fresh_key();
    auto note = sign_note("origin\n42\nline three\n", "me/audited-socat", key);
    REQUIRE(note);
    CHECK(note->rfind("origin\n42\nline three\n\n\xE2\x80\x94 me/audited-socat ", 0) == 0);

    SECTION("by the pinned key, with or without a pinned name") {
        CHECK(open_note(*note, pin(key)).verdict == NoteVerdict::verified);
        CHECK(open_note(*note, pin(key, "me/audited-socat")).verdict == NoteVerdict::verified);
        CHECK(open_note(*note, pin(key, "someone-else")).verdict == NoteVerdict::not_signed);
    }
    SECTION("another key is ignored, not trusted") {
        const auto attacker = fresh_key();
        auto forged = sign_note("origin\n42\nline three\n", "me/audited-socat", attacker);
        REQUIRE(forged);
        CHECK(open_note(*forged, pin(key)).verdict == NoteVerdict::not_signed);
    }
    SECTION("a changed text or signature fails") {
        std::string changed = *note;
        changed[7] = '3'; // "42" -> "43"... in the size line
        CHECK(open_note(changed, pin(key)).verdict == NoteVerdict::bad_signature);
        std::string bad_signature = *note;
        bad_signature[bad_signature.size() - 5] ^= 0x01;
        CHECK(open_note(bad_signature, pin(key)).verdict != NoteVerdict::verified);
    }
    SECTION("malformed notes") {
        CHECK(open_note("no signature\n", pin(key)).verdict == NoteVerdict::malformed);
        CHECK(open_note(*note + "trailing junk\n", pin(key)).verdict == NoteVerdict::malformed);
        CHECK(open_note(note->substr(0, note->size() - 1), pin(key)).verdict ==
              NoteVerdict::malformed);
    }
}

TEST_CASE("note texts must be non-empty newline-terminated lines", "[note]") {
    const auto key = fresh_key();
    CHECK_FALSE(sign_note("", "n", key));
    CHECK_FALSE(sign_note("no newline", "n", key));
    CHECK_FALSE(sign_note("a\n\nb\n", "n", key));
    CHECK_FALSE(sign_note("tab\there\n", "n", key));
    CHECK_FALSE(sign_note("ok\n", "has space", key));
    CHECK_FALSE(sign_note("ok\n", "has+plus", key));
}

TEST_CASE("keys survive PEM round trips and refuse other types", "[note]") {
    const auto key = fresh_key();
    auto pem = key.private_pem();
    REQUIRE(pem);
    CHECK(pem->rfind("-----BEGIN PRIVATE KEY-----", 0) == 0);
    auto again = Ed25519Key::from_private_pem(*pem, "test");
    REQUIRE(again);
    CHECK(again->public_key() == key.public_key());
    CHECK(again->has_private());
    auto pub = key.public_pem();
    REQUIRE(pub);
    auto public_only = Ed25519Key::from_public_pem(*pub, "test");
    REQUIRE(public_only);
    CHECK_FALSE(public_only->has_private());
    CHECK_FALSE(public_only->sign("x"));

    // An RSA key where an Ed25519 key belongs.
    const char* rsa = "-----BEGIN PUBLIC KEY-----\n"
                      "MFwwDQYJKoZIhvcNAQEBBQADSwAwSAJBAMxSyxQ1Hgtjs1wZDwxb2bSp0ppAZGU2\n"
                      "D6gE+7Ka5zIE3cbmG5VzmC4UrX2GyXFTQKyrTHZ7Fm1KFpbexHbqoM0CAwEAAQ==\n"
                      "-----END PUBLIC KEY-----\n";
    auto refused = Ed25519Key::from_public_pem(rsa, "rsa.pem");
    REQUIRE_FALSE(refused);
    CHECK_THAT(refused.error().describe(), Catch::Contains("Ed25519 only"));
    CHECK_FALSE(Ed25519Key::from_private_pem("garbage", "x"));
}
