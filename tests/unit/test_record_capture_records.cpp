#include <catch2/catch.hpp>
#include <string>

#include "capture_samples.hpp"
#include "evidence/record_scanner.hpp"
#include "evidence/record_schema.hpp"
#include "record/capture_records.hpp"
#include "record/json_reader.hpp"

using namespace asocat;

namespace {

constexpr const char* kLogId = "11111111-2222-4333-8444-555555555555";
const std::string kChain = std::string(R"("format":2,"log":")") + kLogId +
                           R"(","seq":7,"prev":"AQEBAQEBAQEBAQEBAQEBAQEBAQEBAQEBAQEBAQEBAQE=",)";
const std::string kSessionMember = std::string(R"("session":")") + test::kCaptureSession + "\",";
const std::string kReplacement = "\xEF\xBF\xBD"; // U+FFFD

std::string render(const record::RecordDraft& draft) {
    util::Digest256 prev;
    prev.fill(1);
    return draft.render({kLogId, 7, prev});
}

std::string without_lf(std::string line) {
    line.pop_back();
    return line;
}

std::string type_of(const std::string& line) {
    record::JsonDocument document;
    const auto parsed = document.parse(without_lf(line));
    REQUIRE(parsed);
    return std::string(parsed.root().find("asocat")->find("type")->as_string());
}

} // namespace

TEST_CASE("process.exec is byte-exact, with the exact bytes of path, argv and executable") {
    CHECK(render(record::process_exec_record(test::sample_exec())) ==
          R"({"@timestamp":"2026-12-04T22:23:28.678533000Z","ecs":{"version":"8.11.0"},)"
          R"("event":{"kind":"event","category":["process"],"type":["start"],)"
          R"("action":"process-exec","outcome":"success","dataset":"audited_socat.capture"},)"
          R"("process":{"pid":4245,"executable":"/srv/hooks/hook)" +
              kReplacement + R"(","args":["hook","--out=/tmp/)" + kReplacement +
              R"(","-v"],"args_count":3,"hash":{"sha256":")" + std::string(64, 'b') +
              R"("}},"asocat":{)" + kChain + R"("type":"process.exec",)" + kSessionMember +
              R"("exec":{"path":"./hook)" + kReplacement +
              R"(","outcome":"confirmed","args_truncated":false},)"
              R"("raw":[{"field":"process.executable","base64":"L3Nydi9ob29rcy9ob29r/w=="},)"
              R"({"field":"process.args","index":1,"base64":"LS1vdXQ9L3RtcC/+"},)"
              R"({"field":"asocat.exec.path","base64":"Li9ob29r/w=="}]}})"
              "\n");
}

TEST_CASE("a failed exec has no hash, a null executable and says so twice") {
    auto exec = test::sample_exec();
    exec.outcome = session::ExecOutcome::failed;
    exec.executable.reset();
    exec.sha256.reset();
    const auto line = render(record::process_exec_record(exec));
    CHECK_THAT(line, Catch::Contains(R"("outcome":"failure","dataset")"));
    CHECK_THAT(line, Catch::Contains(R"("process":{"pid":4245,"executable":null,"args":[)"));
    CHECK_THAT(line, Catch::Contains(R"("args_count":3},"asocat")"));
    CHECK_THAT(line, Catch::Contains(R"("outcome":"failed","args_truncated":false})"));
}

TEST_CASE("stream.end is byte-exact: endpoints, both directions, digests and times") {
    const std::string in_times =
        R"("first":"2026-12-04T22:23:28.678534000Z","last":"2026-12-04T22:23:28.678535000Z")";
    const std::string out_times =
        R"("first":"2026-12-04T22:23:28.678534500Z","last":"2026-12-04T22:23:28.678534500Z")";
    CHECK(render(record::stream_end_record(test::sample_stream())) ==
          R"({"@timestamp":"2026-12-04T22:23:28.678537000Z","ecs":{"version":"8.11.0"},)"
          R"("event":{"kind":"event","category":["network"],"type":["end"],)"
          R"("action":"stream-end","dataset":"audited_socat.capture"},"process":{"pid":4244},)"
          R"("asocat":{)" +
              kChain + R"("type":"stream.end",)" + kSessionMember +
              R"("stream":{"fd":6,"kind":"tcp",)"
              R"("local":{"family":"inet","address":"10.0.0.7","port":8080},)"
              R"("peer":{"family":"inet","address":"10.0.0.9","port":51512},"reason":"close",)"
              R"("in":{"bytes":120,"calls":2,"sha256":")" +
              std::string(64, 'c') + R"(","eof":true,)" + in_times +
              R"(},"out":{"bytes":4096,"calls":1,"sha256":")" + std::string(64, 'd') +
              R"(","eof":false,)" + out_times +
              R"(}}}})"
              "\n");
}

TEST_CASE("a file stream names its path; meta level leaves digests out") {
    const auto drafts = test::capture_drafts();
    std::string file;
    for (const auto& draft : drafts) {
        const auto line = render(draft);
        if (line.find(R"("kind":"file")") != std::string::npos) {
            file = line;
        }
    }
    CHECK_THAT(file, Catch::Contains(R"("category":["file"],"type":["access"])"));
    CHECK_THAT(file, Catch::Contains(R"("stream":{"fd":3,"kind":"file","path":"/var/tmp/dump)" +
                                     kReplacement + R"(.bin","reason":"supervisor-end",)"));
    CHECK_THAT(file, Catch::Contains(R"("out":{"bytes":0,"calls":0,"eof":false}},"raw")"));
    CHECK_THAT(file, Catch::Contains(R"({"field":"asocat.stream.path",)"
                                     R"("base64":"L3Zhci90bXAvZHVtcP8uYmlu"})"));
}

TEST_CASE("socket records: who is source and destination, errors by name, unix paths") {
    std::vector<std::string> lines;
    for (const auto& draft : test::capture_drafts()) {
        const auto line = render(draft);
        if (line.find(R"("type":"socket.)") != std::string::npos) {
            lines.push_back(line);
        }
    }
    REQUIRE(lines.size() == 8);
    // bind: a unix path that is not UTF-8, as server.address and asocat.socket.local.
    CHECK_THAT(lines[0], Catch::Contains(R"("event":{"kind":"event","category":["network"],)"
                                         R"("type":["info"],"action":"socket-bind",)"
                                         R"("outcome":"success",)"));
    CHECK_THAT(lines[0], Catch::Contains(R"("server":{"address":"/run/app/s)" + kReplacement +
                                         R"(.sock"},"network":{"transport":"unix-stream"})"));
    CHECK_THAT(lines[0], Catch::Contains(R"("socket":{"fd":5,"local":{"family":"unix",)"
                                         R"("address":"/run/app/s)" +
                                         kReplacement + R"(.sock","abstract":false}})"));
    CHECK_THAT(lines[0], Catch::Contains(R"({"field":"server.address",)"
                                         R"("base64":"L3J1bi9hcHAvc/8uc29jaw=="},)"
                                         R"({"field":"asocat.socket.local.address",)"
                                         R"("base64":"L3J1bi9hcHAvc/8uc29jaw=="})"));
    // listen: abstract names are "@name" in ECS, flagged in ours.
    CHECK_THAT(lines[1], Catch::Contains(R"("server":{"address":"@app-control"})"));
    CHECK_THAT(lines[1], Catch::Contains(R"("address":"app-control","abstract":true},)"
                                         R"("backlog":5})"));
    // connect: we are the source.
    CHECK_THAT(lines[2],
               Catch::Contains(R"("type":["connection","start"],"action":"socket-connect",)"
                               R"("outcome":"success",)"));
    CHECK_THAT(lines[2], Catch::Contains(R"("source":{"address":"10.0.0.7","ip":"10.0.0.7",)"
                                         R"("port":40000},"destination":{"address":"10.0.0.5",)"
                                         R"("ip":"10.0.0.5","port":8443},)"
                                         R"("network":{"transport":"tcp","type":"ipv4"})"));
    CHECK_THAT(lines[3], Catch::Contains(R"("outcome":"failure")"));
    CHECK_THAT(lines[3], Catch::Contains(R"("error":"ECONNREFUSED","error_number":111})"));
    // A connect still in progress is not a failure (yet).
    CHECK_THAT(lines[4], Catch::Contains(R"("outcome":"unknown")"));
    CHECK_THAT(lines[4], Catch::Contains(R"("error":"EINPROGRESS","error_number":115})"));
    CHECK_THAT(lines[4], Catch::Contains(R"("network":{"transport":"tcp","type":"ipv6"})"));
    CHECK_THAT(lines[4], Catch::Contains(R"("peer":{"family":"inet6","address":"fe80::1%eth0",)"
                                         R"("port":443})"));
    // accept: the peer is the source.
    CHECK_THAT(lines[5], Catch::Contains(R"("source":{"address":"10.0.0.9","ip":"10.0.0.9",)"
                                         R"("port":51512},"destination":{"address":"10.0.0.7",)"));
    CHECK_THAT(lines[5], Catch::Contains(R"("accepted_fd":6})"));
    // Unnamed unix sockets and foreign families have no ECS endpoint.
    CHECK_THAT(lines[6], Catch::Contains(R"("process":{"pid":4243},)"
                                         R"("network":{"transport":"unix-dgram"})"));
    CHECK_THAT(lines[6], Catch::Contains(R"("local":{"family":"unix","address":"",)"
                                         R"("abstract":false},)"
                                         R"("peer":{"family":"other","family_number":40},)"));
    CHECK_THAT(lines[7], Catch::Contains(R"("type":["connection","end"],)"
                                         R"("action":"socket-shutdown",)"));
    CHECK_THAT(lines[7], Catch::Contains(R"("socket":{"fd":6,"local":{"family":"unspecified"},)"
                                         R"("how":"SHUT_WR"})"));
}

TEST_CASE("process.start, process.end, call.refused and capture.end") {
    std::vector<std::string> lines;
    for (const auto& draft : test::capture_drafts()) {
        lines.push_back(render(draft));
    }
    CHECK_THAT(lines[0],
               Catch::Contains(R"("process":{"pid":4244,"executable":"/usr/bin/socat",)"
                               R"("parent":{"pid":4243}},"asocat":{)" +
                               kChain + R"("type":"process.start",)" +
                               kSessionMember.substr(0, kSessionMember.size() - 1) + "}}"));
    CHECK_THAT(lines[1], Catch::Contains(R"("executable":null,"parent")"));
    CHECK_THAT(lines[4], Catch::Contains(R"("outcome":"success")"));
    CHECK_THAT(lines[4], Catch::Contains(R"("process":{"pid":4245,"exit_code":0},)"));
    CHECK_THAT(lines[4], Catch::Contains(R"("end":{"reason":"exited","exit_code":0}})"));
    CHECK_THAT(lines[5], Catch::Contains(R"("outcome":"failure")"));
    CHECK_THAT(lines[5], Catch::Contains(R"("process":{"pid":4244},)"));
    CHECK_THAT(lines[5], Catch::Contains(R"("end":{"reason":"signaled","signal":"SIGKILL",)"
                                         R"("signal_number":9}})"));
    CHECK_THAT(lines[6], Catch::Contains(R"("outcome":"unknown")"));
    CHECK_THAT(lines[6], Catch::Contains(R"("end":{"reason":"unknown"}})"));
    const auto& refused = lines[lines.size() - 3];
    CHECK_THAT(refused, Catch::Contains(R"("type":["info"],"action":"call-refused",)"
                                        R"("outcome":"failure",)"));
    CHECK_THAT(refused, Catch::Contains(R"("call":{"name":"sendfile","error":"ENOSYS"}})"));
    CHECK_THAT(
        lines[lines.size() - 2],
        Catch::Contains(R"("outcome":"success","dataset":"audited_socat.capture"},"asocat")"));
    CHECK_THAT(lines[lines.size() - 2],
               Catch::Contains(R"("capture":{"level":"digest","processes":3,"streams":4,)"
                               R"("bytes_in":120,"bytes_out":4096,"refused_calls":1}}})"));
    CHECK_THAT(lines.back(), Catch::Contains(R"("outcome":"failure")"));
    CHECK_THAT(lines.back(),
               Catch::Contains(R"("refused_calls":1,"error":"the supervisor lost its listener"})"));
}

TEST_CASE("counters saturate at the exact integer range") {
    session::CaptureEnd end;
    end.session = test::kCaptureSession;
    end.bytes_in = ~std::uint64_t{0};
    CHECK_THAT(render(record::capture_end_record(end)),
               Catch::Contains(R"("bytes_in":9007199254740991,)"));
}

TEST_CASE("every capture record fits its layout and the verifier's fast path accepts it",
          "[schema]") {
    record::JsonDocument document;
    for (const auto& draft : test::capture_drafts()) {
        const std::string line = without_lf(render(draft));
        INFO(line);
        const auto parsed = document.parse(line);
        REQUIRE(parsed);
        CHECK(record::serialize_canonical(parsed.root()) == line);
        const auto type = type_of(line + "\n");
        CHECK(evidence::check_record_shape(parsed.root(), type).empty());
        const auto scanned = evidence::scan_canonical_record(line);
        REQUIRE(scanned);
        CHECK(scanned->type == type);
        CHECK(scanned->log == kLogId);
        CHECK(scanned->seq == 7);
        CHECK(scanned->session == test::kCaptureSession);
    }
}
