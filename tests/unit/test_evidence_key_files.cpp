#include <unistd.h>

#include <catch2/catch.hpp>
#include <fstream>
#include <sys/stat.h>

#include "evidence/key_files.hpp"
#include "temp_dir.hpp"

using namespace asocat;

namespace {
const util::TrustPolicy me{::geteuid()};
}

TEST_CASE("keygen writes a private key 0600 and a public key, never over existing files",
          "[keys]") {
    TempDir tmp;
    auto created = evidence::create_key_files(tmp / "keys", "h/audited-socat", me);
    REQUIRE(created);
    struct stat st {};
    REQUIRE(::stat((tmp / "keys/audit.key").c_str(), &st) == 0);
    CHECK((st.st_mode & 0777) == 0600);
    REQUIRE(::stat((tmp / "keys").c_str(), &st) == 0);
    CHECK((st.st_mode & 0777) == 0700);
    auto identity = evidence::read_key_identity(tmp / "keys/audit.key", me);
    REQUIRE(identity);
    CHECK(identity->vkey == created->vkey);
    auto key = evidence::load_private_key(*identity, me);
    REQUIRE(key);
    auto pinned = evidence::read_pinned_key(tmp / "keys/audit.pub");
    REQUIRE(pinned);
    CHECK(pinned->name() == "h/audited-socat");
    CHECK(pinned->key().public_key() == key->public_key());

    auto again = evidence::create_key_files(tmp / "keys", "h/audited-socat", me);
    REQUIRE_FALSE(again);
    CHECK_THAT(again.error().describe(), Catch::Contains("already exists"));
}

TEST_CASE("keygen refuses a directory others can write", "[keys]") {
    TempDir tmp;
    REQUIRE(::mkdir((tmp / "shared").c_str(), 0700) == 0);
    REQUIRE(::chmod((tmp / "shared").c_str(), 0777) == 0);
    auto created = evidence::create_key_files(tmp / "shared", "h/a", me);
    REQUIRE_FALSE(created);
    CHECK_THAT(created.error().describe(), Catch::Contains("writable by group or others"));
    CHECK(::access((tmp / "shared/audit.key").c_str(), F_OK) != 0);
}

TEST_CASE("a key readable by group or others is refused", "[keys]") {
    TempDir tmp;
    REQUIRE(evidence::create_key_files(tmp / "keys", "h/a", me));
    REQUIRE(::chmod((tmp / "keys/audit.key").c_str(), 0640) == 0);
    auto identity = evidence::read_key_identity(tmp / "keys/audit.key", me);
    REQUIRE_FALSE(identity);
    CHECK_THAT(identity.error().describe(),
               Catch::Contains("accessible by group or others (mode 0640); run chmod 600"));
}

TEST_CASE("a key whose identity line does not match its private key is refused", "[keys]") {
    TempDir tmp;
    REQUIRE(evidence::create_key_files(tmp / "a", "h/a", me));
    REQUIRE(evidence::create_key_files(tmp / "b", "h/a", me));
    // b's identity line over a's private key: a swapped key must not sign under b's name.
    std::ifstream a(tmp / "a/audit.key");
    std::ifstream b(tmp / "b/audit.key");
    std::string a_identity, b_identity, rest;
    std::getline(a, a_identity);
    std::getline(b, b_identity);
    std::stringstream a_rest;
    a_rest << a.rdbuf();
    {
        std::ofstream mixed(tmp / "a/audit.key", std::ios::trunc);
        mixed << b_identity << "\n" << a_rest.str();
    }
    auto identity = evidence::read_key_identity(tmp / "a/audit.key", me);
    REQUIRE(identity);
    auto key = evidence::load_private_key(*identity, me);
    REQUIRE_FALSE(key);
    CHECK_THAT(key.error().describe(), Catch::Contains("does not match its identity line"));
}

TEST_CASE("keys load through OpenSSL's store API by URI", "[keys]") {
    TempDir tmp;
    REQUIRE(evidence::create_key_files(tmp / "keys", "h/a", me));
    auto loaded = evidence::load_store_key("file:" + (tmp / "keys/audit.key"), "store/a");
    REQUIRE(loaded);
    auto identity = evidence::read_key_identity(tmp / "keys/audit.key", me);
    REQUIRE(identity);
    CHECK(loaded->first.public_key == identity->public_key);
    CHECK(loaded->first.name == "store/a");
    CHECK(loaded->second.sign("x"));
    CHECK_FALSE(evidence::load_store_key("file:" + (tmp / "keys/missing.key"), "s/a"));
}

TEST_CASE("private keys in plain PKCS#8 and in forms only OpenSSL reads load the same", "[keys]") {
    auto generated = evidence::Ed25519Key::generate();
    REQUIRE(generated);
    auto pem = generated->private_pem();
    REQUIRE(pem);
    // CRLF lines and text after the block are not the plain form: OpenSSL's decoder reads them
    // (and, as it always did, ignores what follows the block).
    std::string crlf;
    for (const char c : *pem) {
        crlf += c == '\n' ? std::string("\r\n") : std::string(1, c);
    }
    for (const std::string& text : {*pem, "vkey x+y+z\n" + *pem, crlf, *pem + "trailing\n"}) {
        auto loaded = evidence::Ed25519Key::from_private_pem(text, "test");
        REQUIRE(loaded);
        CHECK(loaded->public_key() == generated->public_key());
        auto signature = loaded->sign("message");
        REQUIRE(signature);
        CHECK(generated->verify("message", *signature));
    }
    // A damaged structure fails in both readers.
    std::string damaged = *pem;
    damaged[damaged.find("-----\n") + 10] ^= 0x01;
    CHECK_FALSE(evidence::Ed25519Key::from_private_pem(damaged, "test"));
}
