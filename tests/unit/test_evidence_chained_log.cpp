#include <unistd.h>

#include <catch2/catch.hpp>
#include <fstream>
#include <sstream>
#include <sys/stat.h>

#include "evidence/chained_log.hpp"
#include "evidence/key_files.hpp"
#include "evidence/verifier.hpp"
#include "log_fixture.hpp"
#include "record/session_records.hpp"

using namespace asocat;
using evidence::ChainedLog;
using evidence::Seal;

namespace {

using Fixture = test::LogFixture;
using test::me;

record::RecordDraft start_draft(int n) {
    session::SessionStart s;
    s.id = "00000000-0000-4000-8000-" + std::string(12 - std::to_string(n).size(), '0') +
           std::to_string(n);
    s.time = util::wall_now();
    s.host_name = "testhost";
    s.socat = {"/usr/bin/socat", std::string(64, 'a')};
    s.args = {"socat", "-V"};
    return record::session_start_record(s);
}

record::RecordDraft end_draft(int n) {
    session::SessionEnd e;
    e.id = "00000000-0000-4000-8000-" + std::string(12 - std::to_string(n).size(), '0') +
           std::to_string(n);
    e.start = e.end = util::wall_now();
    return record::session_end_record(e);
}

std::string slurp(const std::string& path) {
    std::ifstream in(path, std::ios::binary);
    std::stringstream buffer;
    buffer << in.rdbuf();
    return buffer.str();
}

std::size_t count_lines(const std::string& path) {
    const auto text = slurp(path);
    return static_cast<std::size_t>(std::count(text.begin(), text.end(), '\n'));
}

} // namespace

TEST_CASE("a new log starts with a header and sessions are sealed", "[chained_log]") {
    Fixture f;
    auto log = f.open_log();
    CHECK(count_lines(f.active()) == 1);
    REQUIRE(log.append({start_draft(1)}, Seal::none));
    REQUIRE(log.append({end_draft(1)}, Seal::checkpoint));
    CHECK(count_lines(f.active()) == 4);
    const auto report = f.verify({f.active()});
    CHECK(report.outcome == evidence::Outcome::complete);
    CHECK(report.checkpoints == 1);
    CHECK(report.sessions == 1);
}

TEST_CASE("two writers interleave into one chain", "[chained_log]") {
    Fixture f;
    auto a = f.open_log();
    auto b = f.open_log();
    REQUIRE(a.append({start_draft(1)}, Seal::none));
    REQUIRE(b.append({start_draft(2)}, Seal::none));
    REQUIRE(a.append({end_draft(1)}, Seal::checkpoint));
    REQUIRE(b.append({end_draft(2)}, Seal::checkpoint));
    const auto report = f.verify({f.active()});
    CHECK(report.outcome == evidence::Outcome::complete);
    CHECK(report.records == 7);
}

TEST_CASE("a writer that must not wait defers while another holds the lock", "[chained_log]") {
    Fixture f;
    f.settings.checkpoint_interval_ms = 0; // every tick would write a checkpoint
    auto log = f.open_log();
    REQUIRE(log.append({start_draft(1)}, Seal::none));
    const auto before = slurp(f.active());
    {
        // Another open file description: flock conflicts as between processes.
        auto other = log.directory().lock();
        REQUIRE(other);
        auto deferred = log.append({end_draft(1)}, Seal::checkpoint, "session-end",
                                   record::LockWait::unless_busy);
        REQUIRE(deferred);
        CHECK(*deferred == evidence::Appended::deferred);
        REQUIRE(log.tick());
        CHECK(slurp(f.active()) == before);
    }
    auto written =
        log.append({end_draft(1)}, Seal::checkpoint, "session-end", record::LockWait::unless_busy);
    REQUIRE(written);
    CHECK(*written == evidence::Appended::written);
    const auto report = f.verify({f.active()});
    CHECK(report.outcome == evidence::Outcome::complete);
    CHECK(report.records == 4);
    CHECK(report.sessions == 1);
}

TEST_CASE("a new process resumes from the last checkpoint", "[chained_log]") {
    Fixture f;
    {
        auto first = f.open_log();
        for (int i = 0; i < 5; ++i) {
            REQUIRE(first.append({start_draft(i)}, Seal::none));
            REQUIRE(first.append({end_draft(i)}, Seal::checkpoint));
        }
        REQUIRE(first.append({start_draft(9)}, Seal::none)); // unsealed when it "exits"
    }
    auto second = f.open_log();
    REQUIRE(second.append({end_draft(9)}, Seal::checkpoint));
    CHECK(f.verify({f.active()}).outcome == evidence::Outcome::complete);
}

TEST_CASE("appends fail whole and leave the chain where it was", "[chained_log]") {
    Fixture f;
    auto log = f.open_log();
    REQUIRE(log.append({start_draft(1)}, Seal::none));
    const auto before = slurp(f.active());
    REQUIRE(::chmod(f.active().c_str(), 0400) == 0); // the open descriptor still writes...
    REQUIRE(::chmod(f.active().c_str(), 0600) == 0);
    // ...so provoke a real failure: no key attached means no seal is possible.
    auto dir = record::LogDirectory::open(f.tmp / "logs", me, true);
    REQUIRE(dir);
    auto keyless = ChainedLog::open(std::move(*dir), f.signer, f.settings, "testhost");
    REQUIRE(keyless);
    auto refused = keyless->append({end_draft(1)}, Seal::checkpoint);
    REQUIRE_FALSE(refused);
    CHECK_THAT(refused.error().describe(), Catch::Contains("signing key is not loaded"));
    CHECK(slurp(f.active()) == before);
    REQUIRE(log.append({end_draft(1)}, Seal::checkpoint)); // the chain goes on intact
    CHECK(f.verify({f.active()}).outcome == evidence::Outcome::complete);
}

TEST_CASE("count checkpoints come every N records", "[chained_log]") {
    Fixture f;
    f.settings.checkpoint_records = 10;
    auto log = f.open_log();
    std::vector<record::RecordDraft> batch;
    for (int i = 0; i < 25; ++i) {
        batch.push_back(start_draft(i));
    }
    REQUIRE(log.append(batch, Seal::none));
    const auto text = slurp(f.active());
    CHECK(std::count(text.begin(), text.end(), '\n') == 27); // header, 25, one checkpoint
    CHECK_THAT(text, Catch::Contains("\"reason\":\"count\""));
}

TEST_CASE("rotation links the files into one chain", "[chained_log]") {
    Fixture f;
    f.settings.rotate_bytes = 8 * 1024;
    auto log = f.open_log();
    for (int i = 0; i < 20; ++i) {
        REQUIRE(log.append({start_draft(i)}, Seal::none));
        REQUIRE(log.append({end_draft(i)}, Seal::checkpoint));
    }
    std::vector<std::string> files;
    for (const auto& entry : std::filesystem::directory_iterator(f.tmp / "logs")) {
        if (entry.path().extension() == ".jsonl") {
            files.push_back(entry.path());
        }
    }
    std::sort(files.begin(), files.end());
    REQUIRE(files.size() >= 3);
    CHECK(files.back() == f.active());
    const auto report = f.verify(files);
    CHECK(report.outcome == evidence::Outcome::complete);
    CHECK(report.sessions == 20);
}

TEST_CASE("a torn tail is ended and named; a whole record missing its newline is completed",
          "[chained_log]") {
    Fixture f;
    {
        auto log = f.open_log();
        REQUIRE(log.append({start_draft(1)}, Seal::none));
        REQUIRE(log.append({end_draft(1)}, Seal::checkpoint));
    }
    SECTION("torn") {
        std::ofstream(f.active(), std::ios::app) << "{\"@timestamp\":\"20";
        auto log = f.open_log();
        REQUIRE(log.append({start_draft(2)}, Seal::none));
        REQUIRE(log.append({end_draft(2)}, Seal::checkpoint));
        CHECK_THAT(slurp(f.active()), Catch::Contains("\"type\":\"log.recovery\""));
        const auto report = f.verify({f.active()});
        CHECK(report.outcome == evidence::Outcome::incomplete);
        REQUIRE(report.gaps.size() == 1);
        CHECK(report.gaps[0].problem == evidence::Problem::recovered_torn_line);
    }
    SECTION("complete but unterminated") {
        auto text = slurp(f.active());
        REQUIRE(::truncate(f.active().c_str(), static_cast<off_t>(text.size() - 1)) == 0);
        auto log = f.open_log();
        REQUIRE(log.append({start_draft(2)}, Seal::none));
        REQUIRE(log.append({end_draft(2)}, Seal::checkpoint));
        CHECK_THAT(slurp(f.active()), !Catch::Contains("log.recovery"));
        CHECK(f.verify({f.active()}).outcome == evidence::Outcome::complete);
    }
}

TEST_CASE("a file that cannot be continued is set aside, never glued onto", "[chained_log]") {
    Fixture f;
    {
        auto log = f.open_log();
        REQUIRE(log.append({start_draft(1)}, Seal::none));
        REQUIRE(log.append({end_draft(1)}, Seal::checkpoint));
    }
    // Someone edits the last checkpoint's frontier: resuming from it would extend a lie.
    auto text = slurp(f.active());
    const auto at = text.rfind("\"frontier\":[\"") + 13;
    text[at] = text[at] == 'A' ? 'B' : 'A';
    std::ofstream(f.active(), std::ios::trunc | std::ios::binary) << text;
    auto log = f.open_log();
    const auto notices = log.take_notices();
    REQUIRE(notices.size() == 1);
    CHECK_THAT(notices[0], Catch::Contains("cannot be continued"));
    REQUIRE(log.append({start_draft(2)}, Seal::none));
    REQUIRE(log.append({end_draft(2)}, Seal::checkpoint));
    const auto fresh = slurp(f.active());
    CHECK_THAT(fresh, Catch::Contains("\"anomaly\":\"cannot be continued:"));
    CHECK(f.verify({f.active()}).outcome == evidence::Outcome::complete);
}
