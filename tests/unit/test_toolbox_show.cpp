// socat-audit show's two halves: log_sessions (reading) and session_report (the text), on logs
// written by the real writer.
#include <algorithm>
#include <catch2/catch.hpp>
#include <fstream>
#include <iterator>

#include "capture_samples.hpp"
#include "log_fixture.hpp"
#include "record/session_records.hpp"
#include "toolbox/log_sessions.hpp"
#include "toolbox/session_report.hpp"

using namespace asocat;
using evidence::Seal;
using toolbox::read_sessions;

namespace {

session::SessionStart sample_start(std::string id, util::WallTime time) {
    session::SessionStart s;
    s.id = std::move(id);
    s.time = time;
    s.host_name = "build-7";
    s.wrapper = {"0.1.0", 4242, std::string("/usr/bin/audited-socat"), false};
    s.settings = {{}, {}, "/tmp/logs/audit.jsonl", false, "default"};
    s.socat = {"/usr/bin/socat", std::string(64, 'a')};
    s.socat_pid = 4243;
    s.args = {"socat", "TCP-LISTEN:8080,fork", "EXEC:/srv/hooks/hook \xFF"};
    s.working_directory = "/home/alice";
    s.identity.uid = {1000, std::string("alice")};
    s.identity.euid = {1000, std::string("alice")};
    s.identity.gid = {1000, std::string("alice")};
    s.identity.egid = {1000, std::string("alice")};
    s.identity.loginuid = 1000;
    s.identity.tty = std::string("/dev/pts/3");
    s.identity.parent = {4000, std::string("/usr/bin/bash"), std::string("bash"), {"bash"}};
    s.capture = session::CaptureLevel::digest;
    return s;
}

session::SessionEnd sample_end(std::string id, util::WallTime start, util::WallTime end) {
    session::SessionEnd e;
    e.id = std::move(id);
    e.start = start;
    e.end = end;
    e.duration_ns =
        (end.seconds - start.seconds) * 1000000000 + end.nanoseconds - start.nanoseconds;
    e.socat_pid = 4243;
    e.exec_check = session::ExecCheck::matched;
    return e;
}

// Two sessions: the capture samples' (with every capture record type, its capture.end after
// its session.end, as when fork children outlive socat), then a short one without capture.
void write_sample_log(evidence::ChainedLog& log) {
    const std::string first = test::kCaptureSession;
    REQUIRE(log.append({record::session_start_record(sample_start(first, test::capture_time(0)))},
                       Seal::none));
    auto drafts = test::capture_drafts();
    auto capture_end = std::move(drafts[drafts.size() - 2]);
    drafts.erase(drafts.end() - 2, drafts.end());
    REQUIRE(log.append(drafts, Seal::none));
    REQUIRE(log.append({record::session_end_record(
                           sample_end(first, test::capture_time(0), {1796423011, 178532000}))},
                       Seal::checkpoint));
    REQUIRE(log.append({std::move(capture_end)}, Seal::checkpoint));

    const std::string second = "9b8c7d6e-0000-4000-8000-000000000002";
    auto start = sample_start(second, {1796423100, 0});
    start.args = {"socat", "-V"};
    start.capture = session::CaptureLevel::off;
    start.identity.uid = {0, std::string("root")};
    REQUIRE(log.append({record::session_start_record(start)}, Seal::none));
    REQUIRE(log.append(
        {record::session_end_record(sample_end(second, {1796423100, 0}, {1796423100, 5000000}))},
        Seal::checkpoint));
}

// "FILE:N" of the line that bytes appended to `path` now will start.
std::string next_line(const std::string& path) {
    std::ifstream in(path, std::ios::binary);
    const std::string text((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
    return path + ":" + std::to_string(std::count(text.begin(), text.end(), '\n') + 1);
}

void append_to(const std::string& path, const std::string& bytes) {
    std::ofstream out(path, std::ios::binary | std::ios::app);
    out << bytes;
}

} // namespace

TEST_CASE("show reads sessions from a real log and describes one in full", "[show]") {
    test::LogFixture f;
    auto log = f.open_log();
    write_sample_log(log);
    // The samples' stored run, for verify's payload check; their stream (pid 4244 fd 6) ends
    // before its payload records, so that payload stays unsealed.
    std::ofstream(f.tmp / ("logs/" + std::string(test::kSamplePayloadFile)), std::ios::binary)
        << std::string(4096 + 120, 'p');
    const auto report = f.verify({f.active()});
    REQUIRE(report.outcome == evidence::Outcome::incomplete);
    REQUIRE(report.gaps.size() == 2);
    for (const auto& gap : report.gaps) {
        CHECK(gap.problem == evidence::Problem::payload_unsealed);
    }

    const auto shown = read_sessions({f.active()});
    REQUIRE(shown);
    CHECK(shown->notes.empty());
    REQUIRE(shown->sessions.size() == 2);
    const auto& s = shown->sessions[0];
    CHECK(s.id == test::kCaptureSession);
    CHECK(s.first_record == f.active() + ":2");
    CHECK(s.records == 24);
    CHECK(s.capture_end);
    const std::string fffd = "\xEF\xBF\xBD"; // U+FFFD where the record had a byte that is not UTF-8
    CHECK(toolbox::describe_session(s) ==
          "session 0f0e0d0c-0b0a-4908-8706-050403020100\n"
          "  records       24 records, the first at " +
              f.active() +
              ":2\n"
              "  who           alice (uid 1000), loginuid 1000, tty /dev/pts/3\n"
              "  started from  bash (pid 4000, /usr/bin/bash)\n"
              "  host          build-7\n"
              "  when          2026-12-04T22:23:28.678532000Z, for 2.500 s\n"
              "  socat         pid 4243, /usr/bin/socat (sha256 aaaaaaaaaaaa)\n"
              "  command       socat TCP-LISTEN:8080,fork 'EXEC:/srv/hooks/hook " +
              fffd +
              "'\n"
              "  directory     /home/alice\n"
              "  capture       digest\n"
              "  processes\n"
              "    pid 4244 (parent 4243) /usr/bin/socat: killed by SIGKILL\n"
              "      refused sendfile (ENOSYS)\n"
              "    pid 4245: exited 0\n"
              "      +0.000 s exec ./hook" +
              fffd + " (/srv/hooks/hook" + fffd +
              ", sha256 bbbbbbbbbbbb, confirmed): hook '--out=/tmp/" + fffd +
              "' -v\n"
              "      +0.000 s exec ./hook" +
              fffd + " (not hashed, failed): hook '--out=/tmp/" + fffd +
              "' -v ...(truncated)\n"
              "    pid 4246: ended\n"
              "  connections\n"
              "    +0.000 s pid 4243 fd 5 bind unix-stream /run/app/s" +
              fffd +
              ".sock\n"
              "    +0.000 s pid 4243 fd 5 listen unix-stream @app-control backlog 5\n"
              "    +0.000 s pid 4244 fd 7 connect tcp 10.0.0.7:40000 -> 10.0.0.5:8443\n"
              "    +0.000 s pid 4244 fd 7 connect tcp 10.0.0.7:40000 -> 10.0.0.5:8443: failed "
              "(ECONNREFUSED)\n"
              "    +0.000 s pid 4244 fd 7 connect tcp ? -> [fe80::1%eth0]:443: outcome unknown "
              "(EINPROGRESS)\n"
              "    +0.000 s pid 4243 fd 5 accept tcp 10.0.0.9:51512 -> 10.0.0.7:8080 as fd 6\n"
              "    +0.000 s pid 4243 fd 5 accept unix-dgram family 40 -> unnamed as fd 6\n"
              "    +0.000 s pid 4244 fd 6 shutdown tcp SHUT_WR\n"
              "  streams\n"
              "    pid 4244 fd 6 tcp 10.0.0.7:8080 <-> 10.0.0.9:51512, ended by close\n"
              "      in  120 B in 2 calls, sha256 cccccccccccc, eof\n"
              "      out 4096 B in 1 call, sha256 dddddddddddd\n"
              "    pid 4245 fd 3 file /var/tmp/dump" +
              fffd +
              ".bin, ended by supervisor-end\n"
              "      in  nothing\n"
              "      out nothing\n"
              "  end           exited 0 (wrapper status 0, exec check matched)\n"
              "  capture end   3 processes, 4 streams, 120 B in, 4096 B out, 1 refused call\n");
}

TEST_CASE("show lists sessions one per line", "[show]") {
    test::LogFixture f;
    auto log = f.open_log();
    write_sample_log(log);
    const auto shown = read_sessions({f.active()});
    REQUIRE(shown);
    CHECK(toolbox::session_line(shown->sessions[0]) ==
          "0f0e0d0c-0b0a-4908-8706-050403020100  2026-12-04T22:23:28Z  alice  2.500 s  exited 0  "
          "socat TCP-LISTEN:8080,fork 'EXEC:/srv/hooks/hook \xEF\xBF\xBD'");
    CHECK(toolbox::session_line(shown->sessions[1]) ==
          "9b8c7d6e-0000-4000-8000-000000000002  2026-12-04T22:25:00Z  root  0.005 s  exited 0  "
          "socat -V");
    const auto second = toolbox::describe_session(shown->sessions[1]);
    CHECK_THAT(second, Catch::Contains("\n  capture       off\n"));
    CHECK_THAT(second, !Catch::Contains("capture end"));
}

TEST_CASE("show names the file and line of a malformed or mis-laid-out record", "[show]") {
    test::LogFixture f;
    {
        auto log = f.open_log();
        write_sample_log(log);
    }
    const std::string at = next_line(f.active());
    SECTION("not JSON") {
        append_to(f.active(), "{\"@timestamp\":\n");
        const auto shown = read_sessions({f.active()});
        REQUIRE_FALSE(shown);
        CHECK(shown.error().describe() == at + ": not JSON: expected a value at byte 14 (syntax)");
        CHECK(shown.error().errno_value() == 0);
    }
    SECTION("JSON, but not a record") {
        append_to(f.active(), "{}\n");
        const auto shown = read_sessions({f.active()});
        REQUIRE_FALSE(shown);
        CHECK(shown.error().describe() == at + ": missing or mistyped field @timestamp");
    }
    SECTION("a record, but not laid out as its type requires") {
        std::ifstream in(f.active());
        std::string line;
        std::getline(in, line); // the log header
        std::getline(in, line); // the first session.start
        const std::string required = "\"fail_open\":false,";
        REQUIRE(line.find(required) != std::string::npos);
        line.replace(line.find(required), required.size(), "");
        append_to(f.active(), line + "\n");
        const auto shown = read_sessions({f.active()});
        REQUIRE_FALSE(shown);
        CHECK(shown.error().describe() == at + ": asocat.settings.fail_open is missing");
    }
    SECTION("a torn line the writer recovered is passed over") {
        append_to(f.active(), "{\"@timestamp\":\"2026");
        auto log = f.open_log(); // finds the torn line and appends a log.recovery
        REQUIRE(log.append({record::session_start_record(sample_start(
                               "cccccccc-0000-4000-8000-000000000003", {1796423200, 0}))},
                           Seal::checkpoint));
        const auto shown = read_sessions({f.active()});
        REQUIRE(shown);
        CHECK(shown->sessions.size() == 3);
        REQUIRE(shown->notes.size() == 1);
        CHECK(shown->notes[0] == at + ": passed over a torn line that the next record recovers");
    }
    SECTION("an unfinished last line is passed over") {
        append_to(f.active(), "{\"@timestamp\":\"2026");
        const auto shown = read_sessions({f.active()});
        REQUIRE(shown);
        REQUIRE(shown->notes.size() == 1);
        CHECK_THAT(shown->notes[0], Catch::StartsWith(at + ": passed over 19 bytes"));
    }
    SECTION("a missing file") {
        const auto shown = read_sessions({f.tmp / "nothing.jsonl"});
        REQUIRE_FALSE(shown);
        CHECK(shown.error().errno_value() == ENOENT);
    }
}

TEST_CASE("text from a log cannot drive the terminal", "[show]") {
    CHECK(toolbox::printable("a\x1b[31mred\x7f") == "a\\x1b[31mred\\x7f");
    CHECK(toolbox::printable("\xC2\x9B"
                             "2J") == "\\u{009b}2J"); // C1 CSI
    CHECK(toolbox::printable("abc\xE2\x80\xAE"
                             "fed") == "abc\\u{202e}fed"); // RTL override
    CHECK(toolbox::printable("caf\xC3\xA9 \xF0\x9F\x98\x80") == "caf\xC3\xA9 \xF0\x9F\x98\x80");
    CHECK(toolbox::shell_words({"socat", "-d", "OPEN:a b", "it's", ""}) ==
          "socat -d 'OPEN:a b' 'it'\\''s' ''");
}
