// A log directory with a fresh signing key, for tests that write logs with the real writer
// (evidence::ChainedLog) and read or verify them.
#pragma once

#include <unistd.h>

#include <catch2/catch.hpp>
#include <string>
#include <vector>

#include "evidence/chained_log.hpp"
#include "evidence/key_files.hpp"
#include "evidence/verifier.hpp"
#include "temp_dir.hpp"

namespace asocat::test {

inline const util::TrustPolicy me{::geteuid()};

struct LogFixture {
    TempDir tmp;
    evidence::SigningIdentity signer;
    evidence::EvidenceSettings settings;

    LogFixture() {
        auto created = evidence::create_key_files(tmp / "keys", "test/audited-socat", me);
        REQUIRE(created);
        signer = *created;
    }

    evidence::ChainedLog open_log() const {
        auto dir = record::LogDirectory::open(tmp / "logs", me, true);
        REQUIRE(dir);
        auto log = evidence::ChainedLog::open(std::move(*dir), signer, settings, "testhost");
        REQUIRE(log);
        auto key = evidence::load_private_key(signer, me);
        REQUIRE(key);
        log->attach_key(std::move(*key));
        return std::move(*log);
    }

    evidence::VerifyReport verify(const std::vector<std::string>& files) const {
        auto pinned = evidence::read_pinned_key(tmp / "keys/audit.pub");
        REQUIRE(pinned);
        return evidence::verify_logs(files, *pinned, nullptr);
    }

    std::string active() const { return tmp / "logs/audit.jsonl"; }
};

} // namespace asocat::test
