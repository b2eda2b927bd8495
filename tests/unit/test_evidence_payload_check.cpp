// verify's payload check, on logs the real writer signed and payload files beside them: a stored,
// a copied and a truncated stream verify; a changed, cut, missing or misnamed payload file, a
// copy of bytes not stored and runs with a hole are tampering at the record that shows it;
// payload without its stream.end is a completeness gap.
#include <unistd.h>

#include <algorithm>
#include <catch2/catch.hpp>
#include <filesystem>
#include <fstream>

#include "capture_samples.hpp"
#include "evidence/payload_check.hpp"
#include "log_fixture.hpp"
#include "util/sha256.hpp"

using namespace asocat;
using evidence::Outcome;
using evidence::Problem;
using evidence::Seal;
using record::RecordDraft;

namespace {

constexpr pid_t kPid = 4244;
constexpr int kSource = 5; // received 1000 bytes, stored in two runs
constexpr int kRelay = 6;  // sent them on: a copy
constexpr int kCapped = 7; // sent 500 bytes, of which 300 were stored

std::string pseudo_random(std::size_t size, unsigned seed) {
    std::string bytes(size, '\0');
    for (auto& b : bytes) {
        seed = seed * 1103515245u + 12345u;
        b = static_cast<char>(seed >> 16);
    }
    return bytes;
}

const std::string& received() {
    static const std::string bytes = pseudo_random(1000, 1);
    return bytes;
}

const std::string& capped() {
    static const std::string bytes = pseudo_random(500, 2);
    return bytes;
}

// The payload file as the writer leaves it: the source's runs, then the capped stream's 300.
std::string blob() {
    return received() + capped().substr(0, 300);
}

std::string hex_sha(std::string_view bytes) {
    return util::to_hex(util::sha256(bytes));
}

RecordDraft stored(int fd, bool in, std::uint64_t offset, std::uint64_t length,
                   std::uint64_t file_offset, std::string file = test::kSamplePayloadFile) {
    session::StreamPayload p;
    p.session = test::kCaptureSession;
    p.time = test::capture_time(4000);
    p.pid = kPid;
    p.fd = fd;
    p.in = in;
    p.stream_offset = offset;
    p.length = length;
    p.file = std::move(file);
    p.file_offset = file_offset;
    return record::stream_payload_record(p);
}

RecordDraft copied(int fd, std::uint64_t offset, std::uint64_t length, int source) {
    session::StreamPayload p;
    p.session = test::kCaptureSession;
    p.time = test::capture_time(4000);
    p.pid = kPid;
    p.fd = fd;
    p.in = false;
    p.stream_offset = offset;
    p.length = length;
    p.copy_of = session::PayloadCopy{kPid, source, offset};
    return record::stream_payload_record(p);
}

session::StreamDirection moved(std::string_view bytes) {
    return {
        bytes.size(), 1, hex_sha(bytes), false, test::capture_time(2000), test::capture_time(3000)};
}

RecordDraft ended(int fd, std::string_view in, std::string_view out) {
    auto s = test::sample_stream();
    s.pid = kPid;
    s.fd = fd;
    s.in = moved(in);
    s.out = moved(out);
    return record::stream_end_record(s);
}

RecordDraft truncated(int fd, std::uint64_t stored_bytes) {
    return record::payload_truncated_record(
        {test::kCaptureSession, test::capture_time(4000), kPid, fd, false, stored_bytes,
         hex_sha(capped().substr(0, stored_bytes)), "stream-limit", stored_bytes});
}

// The writer's batches, in its order. Lines: 1 header, then 2.. in this order, one per draft.
std::vector<std::vector<RecordDraft>> good_batches() {
    return {{stored(kSource, true, 0, 600, 0)},     // line 2
            {stored(kSource, true, 600, 400, 600)}, // 3
            {copied(kRelay, 0, 1000, kSource)},     // 4
            {ended(kSource, received(), "")},       // 5
            {ended(kRelay, "", received())},        // 6
            {truncated(kCapped, 300),               // 7: stored first, as the writer
             stored(kCapped, false, 0, 300, 1000)}, // 8
            {ended(kCapped, "", capped())}};        // 9
}

struct PayloadLog {
    test::LogFixture f;

    std::string blob_path() const {
        return f.tmp / ("logs/" + std::string(test::kSamplePayloadFile));
    }

    // Appends every batch (each sealed) and writes `payload` beside the log.
    void write(const std::vector<std::vector<RecordDraft>>& batches,
               const std::string& payload = blob()) {
        auto log = f.open_log();
        for (const auto& batch : batches) {
            REQUIRE(log.append(batch, Seal::checkpoint));
        }
        std::ofstream(blob_path(), std::ios::binary) << payload;
    }

    void write(const std::vector<RecordDraft>& drafts, const std::string& payload = blob()) {
        auto log = f.open_log();
        REQUIRE(log.append(drafts, Seal::checkpoint));
        std::ofstream(blob_path(), std::ios::binary) << payload;
    }

    evidence::VerifyReport verify() const { return f.verify({f.active()}); }
};

// All drafts of the good log in one batch: record N of it is on line N + 2.
std::vector<RecordDraft> good_drafts() {
    std::vector<RecordDraft> drafts;
    for (auto& batch : good_batches()) {
        for (auto& draft : batch) {
            drafts.push_back(std::move(draft));
        }
    }
    return drafts;
}

void check_tampered(const evidence::VerifyReport& report, Problem problem, std::uint64_t line) {
    REQUIRE(report.outcome == Outcome::tampered);
    REQUIRE(report.tampering);
    INFO(report.tampering->detail);
    CHECK(evidence::problem_name(report.tampering->problem) ==
          std::string(evidence::problem_name(problem)));
    CHECK(report.tampering->line == line);
    CHECK(report.tampering->seq == line - 1);
}

std::vector<std::string> log_files(const test::LogFixture& f) {
    std::vector<std::string> files;
    for (const auto& entry : std::filesystem::directory_iterator(f.tmp / "logs")) {
        if (entry.path().extension() == ".jsonl") {
            files.push_back(entry.path());
        }
    }
    std::sort(files.begin(), files.end()); // rotated ones by time, then audit.jsonl
    return files;
}

} // namespace

TEST_CASE("a stored, a copied and a truncated stream verify", "[payload]") {
    PayloadLog p;
    p.write(good_drafts());
    const auto report = p.verify();
    INFO((report.tampering ? report.tampering->detail : std::string()));
    CHECK(report.outcome == Outcome::complete);
    CHECK(report.gaps.empty());
}

TEST_CASE("a changed byte of the payload is tampering at the stream's end", "[payload]") {
    PayloadLog p;
    auto payload = blob();
    SECTION("a stored stream (and its copy)") {
        payload[100] ^= 1;
        p.write(good_drafts(), payload);
        check_tampered(p.verify(), Problem::payload, 5);
    }
    SECTION("the stored prefix of a truncated stream") {
        payload[1100] ^= 1;
        p.write(good_drafts(), payload);
        check_tampered(p.verify(), Problem::payload, 9);
    }
}

TEST_CASE("a cut or missing payload file is payload-missing at the run", "[payload]") {
    PayloadLog p;
    SECTION("cut inside the second run") {
        p.write(good_drafts(), blob().substr(0, 800));
        check_tampered(p.verify(), Problem::payload_missing, 3);
    }
    SECTION("missing") {
        p.write(good_drafts());
        REQUIRE(std::filesystem::remove(p.blob_path()));
        check_tampered(p.verify(), Problem::payload_missing, 2);
    }
    SECTION("a symbolic link, even to the right bytes") {
        p.write(good_drafts());
        const std::string moved_to = p.f.tmp / "elsewhere.blob";
        std::filesystem::rename(p.blob_path(), moved_to);
        std::filesystem::create_symlink(moved_to, p.blob_path());
        check_tampered(p.verify(), Problem::payload_missing, 2);
    }
}

TEST_CASE("a copy of bytes not stored yet is tampering", "[payload]") {
    PayloadLog p;
    p.write(std::vector<RecordDraft>{
        stored(kSource, true, 0, 600, 0), copied(kRelay, 0, 1000, kSource), // line 3: 600 stored
        stored(kSource, true, 600, 400, 600), ended(kSource, received(), ""),
        ended(kRelay, "", received())});
    check_tampered(p.verify(), Problem::payload, 3);
}

TEST_CASE("a copy of a stream that has ended is tampering", "[payload]") {
    PayloadLog p;
    p.write(std::vector<RecordDraft>{stored(kSource, true, 0, 1000, 0),
                                     ended(kSource, received(), ""),
                                     copied(kRelay, 0, 1000, kSource), // line 4
                                     ended(kRelay, "", received())});
    check_tampered(p.verify(), Problem::payload, 4);
}

TEST_CASE("a payload file named outside the log directory is tampering", "[payload]") {
    PayloadLog p;
    // The bytes are where the record points (or could be), so only the name is wrong.
    const std::string name =
        GENERATE(std::string("../payload-0f0e0d0c.blob"), std::string("payload-0f0e0d0c.blob/../x"),
                 std::string("payload-0F0E.blob"), std::string("payload-.blob"),
                 std::string("audit.jsonl"), std::string(""), std::string("absolute"));
    auto drafts = good_drafts();
    drafts[0] = stored(kSource, true, 0, 600, 0, name == "absolute" ? p.blob_path() : name);
    p.write(drafts);
    check_tampered(p.verify(), Problem::payload, 2);
}

TEST_CASE("runs with a hole or an overlap are tampering", "[payload]") {
    PayloadLog p;
    auto drafts = good_drafts();
    SECTION("a hole") {
        drafts[1] = stored(kSource, true, 700, 300, 700);
    }
    SECTION("an overlap") {
        drafts[1] = stored(kSource, true, 500, 500, 500);
    }
    SECTION("not from byte 0") {
        drafts[0] = stored(kSource, true, 10, 590, 10);
        p.write(drafts);
        check_tampered(p.verify(), Problem::payload, 2);
        return;
    }
    p.write(drafts);
    check_tampered(p.verify(), Problem::payload, 3);
}

TEST_CASE("more stored than the stream moved, or than its truncation says, is tampering",
          "[payload]") {
    PayloadLog p;
    auto drafts = good_drafts();
    SECTION("the stream.end") {
        drafts[3] = ended(kSource, received().substr(0, 900), "");
        p.write(drafts);
        check_tampered(p.verify(), Problem::payload, 5);
    }
    SECTION("a run past the truncation") {
        drafts[6] = stored(kCapped, false, 0, 301, 1000); // line 8
        p.write(drafts, blob() + "x");
        check_tampered(p.verify(), Problem::payload, 8);
    }
}

TEST_CASE("payload without its stream.end at the end of the logs is a gap", "[payload]") {
    PayloadLog p;
    p.write(std::vector<RecordDraft>{stored(kSource, true, 0, 600, 0),
                                     stored(kSource, true, 600, 400, 600),
                                     copied(kRelay, 0, 1000, kSource)});
    const auto report = p.verify();
    CHECK(report.outcome == Outcome::incomplete);
    REQUIRE(report.gaps.size() == 2);
    CHECK(report.gaps[0].problem == Problem::payload_unsealed);
    CHECK(report.gaps[0].line == 3); // the source's last run
    CHECK(report.gaps[1].problem == Problem::payload_unsealed);
    CHECK(report.gaps[1].line == 4); // the copy
    CHECK(std::string(evidence::problem_name(Problem::payload_unsealed)) == "payload-unsealed");
    CHECK_FALSE(evidence::is_tampering(Problem::payload_unsealed));
}

TEST_CASE("fewer bytes stored than moved, with no truncation, is a gap", "[payload]") {
    PayloadLog p;
    // As after a payload file that could not be written: the supervisor stops, the end is
    // still recorded.
    p.write(
        std::vector<RecordDraft>{stored(kSource, true, 0, 600, 0), ended(kSource, received(), "")});
    const auto report = p.verify();
    CHECK(report.outcome == Outcome::incomplete);
    REQUIRE(report.gaps.size() == 1);
    CHECK(report.gaps[0].problem == Problem::payload_incomplete);
    CHECK(report.gaps[0].line == 3);
}

TEST_CASE("streams that span rotated files verify from any file of the series on", "[payload]") {
    PayloadLog p;
    p.f.settings.rotate_bytes = 1800; // about every other batch
    p.write(good_batches());
    const auto files = log_files(p.f);
    REQUIRE(files.size() >= 3);
    for (std::size_t first = 0; first < files.size(); ++first) {
        INFO("from " << files[first]);
        const auto report = p.f.verify(std::vector<std::string>(
            files.begin() + static_cast<std::ptrdiff_t>(first), files.end()));
        INFO((report.tampering ? report.tampering->detail : std::string()));
        CHECK(report.outcome == Outcome::complete);
    }

    SECTION("and a changed byte is found from the start of the series") {
        auto payload = blob();
        payload[1100] ^= 1;
        std::ofstream(p.blob_path(), std::ios::binary) << payload;
        const auto report = p.f.verify(files);
        REQUIRE(report.tampering);
        CHECK(report.tampering->problem == Problem::payload);
    }
}

TEST_CASE("payload categories are tampering, with their own names", "[payload]") {
    CHECK(std::string(evidence::problem_name(Problem::payload)) == "payload");
    CHECK(std::string(evidence::problem_name(Problem::payload_missing)) == "payload-missing");
    CHECK(std::string(evidence::problem_name(Problem::payload_incomplete)) == "payload-incomplete");
    CHECK(evidence::is_tampering(Problem::payload));
    CHECK(evidence::is_tampering(Problem::payload_missing));
    CHECK_FALSE(evidence::is_tampering(Problem::payload_incomplete));
}
