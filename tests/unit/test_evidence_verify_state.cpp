#include <catch2/catch.hpp>
#include <fstream>
#include <sys/stat.h>

#include "evidence/verify_state.hpp"
#include "temp_dir.hpp"

using namespace asocat::evidence;

TEST_CASE("the verify state survives a save and a load", "[state]") {
    TempDir tmp;
    const auto path = tmp / "state.json";
    auto empty = VerifyState::load(path);
    REQUIRE(empty);
    CHECK(empty->log("x") == nullptr);
    RememberedLog log;
    log.size = 17;
    log.root.fill(7);
    empty->remember("log-1", log);
    empty->remember_file("/var/log/audited-socat/audit.jsonl", "log-1");
    REQUIRE(empty->save());
    struct stat st {};
    REQUIRE(::stat(path.c_str(), &st) == 0);
    CHECK((st.st_mode & 0777) == 0600);
    auto loaded = VerifyState::load(path);
    REQUIRE(loaded);
    REQUIRE(loaded->log("log-1") != nullptr);
    CHECK(loaded->log("log-1")->size == 17);
    CHECK(loaded->log("log-1")->root == log.root);
    REQUIRE(loaded->log_at("/var/log/audited-socat/audit.jsonl") != nullptr);
    // A smaller checkpoint never replaces a larger one.
    RememberedLog smaller{3, {}};
    loaded->remember("log-1", smaller);
    CHECK(loaded->log("log-1")->size == 17);
}

TEST_CASE("a malformed state file is an error, not an empty state", "[state]") {
    TempDir tmp;
    std::ofstream(tmp / "bad.json") << "{\"format\":2,\"logs\":{},\"files\":{}}\n";
    CHECK_FALSE(VerifyState::load(tmp / "bad.json"));
    std::ofstream(tmp / "worse.json") << "not json\n";
    CHECK_FALSE(VerifyState::load(tmp / "worse.json"));
}
