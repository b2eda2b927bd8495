#include <catch2/catch.hpp>
#include <optional>
#include <string>
#include <vector>

#include "capture_samples.hpp"
#include "evidence/log_records.hpp"
#include "evidence/record_scanner.hpp"
#include "evidence/record_schema.hpp"
#include "evidence/record_view.hpp"
#include "record/json_reader.hpp"
#include "record/session_records.hpp"

using namespace asocat;
using evidence::ChainFields;
using evidence::scan_canonical_record;

namespace {

// What the verifier's full path makes of a line: the chain fields if it parses strictly, is
// byte-identical to its canonical form and fits its type's layout; nullopt otherwise.
std::optional<ChainFields> full_path(record::JsonDocument& document, std::string_view line) {
    const auto parsed = document.parse(line);
    if (!parsed || record::serialize_canonical(parsed.root()) != line) {
        return std::nullopt;
    }
    const auto view = evidence::view_record(parsed.root());
    if (!view || !evidence::check_record_shape(parsed.root(), view->type).empty()) {
        return std::nullopt;
    }
    ChainFields fields{view->log, view->seq, view->prev, view->type, {}};
    if (const auto* session = view->asocat->find("session")) {
        fields.session = session->as_string();
    }
    return fields;
}

bool same(const ChainFields& a, const ChainFields& b) {
    return a.log == b.log && a.seq == b.seq && a.prev == b.prev && a.type == b.type &&
           a.session == b.session;
}

util::Digest256 digest_of(char c) {
    util::Digest256 d{};
    d.fill(static_cast<std::uint8_t>(c));
    return d;
}

std::string render(const record::RecordDraft& draft, std::uint64_t seq) {
    std::string line = draft.render({"3b4d1971-d552-484a-9f96-c52fc78af668", seq, digest_of('p')});
    line.pop_back(); // the LF
    return line;
}

// One line of every record type, with strings that need every kind of escape and argv bytes
// that are not UTF-8 (so asocat.raw is present), and the capture records' samples.
std::vector<std::string> sample_lines() {
    const util::WallTime time = util::wall_now();
    session::SessionStart start;
    start.id = "0f0e0d0c-0b0a-4908-8706-000000000001";
    start.time = time;
    start.host_name = "host \"quoted\" \\ back";
    start.socat = {"/usr/bin/socat", std::string(64, 'a')};
    start.args = {"socat", std::string("ctl\x01\x1f\x7f\b\t\n\f\r/", 13), "\xff\xfe not utf-8",
                  "caf\xc3\xa9 \xe2\x82\xac \xf0\x9f\x98\x80", ""};
    start.working_directory = "/home/u";
    session::SessionEnd end;
    end.id = start.id;
    end.start = end.end = time;
    evidence::CheckpointFacts checkpoint{
        "count", 3, digest_of('r'), {digest_of('a'), digest_of('b')}, "origin\n3\nroot\n"};
    evidence::PreviousLog previous;
    previous.file = "audit-x.jsonl";
    previous.anomaly = "cut short";
    std::vector<std::string> lines{
        render(evidence::log_header_record(time, "host", "host/audited-socat/x", {"name", "key id"},
                                           std::nullopt),
               0),
        render(evidence::log_header_record(time, "host", "o", {"n", "k"}, previous), 0),
        render(record::session_start_record(start), 1),
        render(record::session_end_record(end), 2),
        render(evidence::checkpoint_record(time, checkpoint), 3),
        render(evidence::recovery_record(time, {10, 20, digest_of('t')}), 4),
    };
    std::uint64_t seq = 5;
    for (const auto& draft : test::capture_drafts()) {
        lines.push_back(render(draft, seq++));
    }
    return lines;
}

} // namespace

TEST_CASE("the scanner accepts every record type the writer renders, with the same fields") {
    record::JsonDocument document;
    for (const auto& line : sample_lines()) {
        INFO(line);
        const auto reference = full_path(document, line);
        REQUIRE(reference);
        const auto scanned = scan_canonical_record(line);
        REQUIRE(scanned);
        CHECK(same(*scanned, *reference));
    }
}

TEST_CASE("the scanner never accepts a line the full path refuses (every byte mutated)") {
    // Each line is mutated at every byte: replaced by bytes that matter to JSON, deleted, or
    // preceded by a space. Whatever the scanner accepts, the full path must accept with the
    // same fields.
    static constexpr char kReplacements[] = {' ',  '"',  '\\', '0',    '1',    '9',    '-',
                                             'a',  'A',  'u',  '}',    ']',    ',',    ':',
                                             '\0', 0x1f, 0x7f, '\x80', '\xc3', '\xff', 'n'};
    record::JsonDocument document;
    std::size_t accepted = 0;
    std::size_t tried = 0;
    for (const auto& line : sample_lines()) {
        for (std::size_t i = 0; i < line.size(); ++i) {
            std::vector<std::string> variants;
            for (const char r : kReplacements) {
                if (line[i] != r) {
                    variants.push_back(line.substr(0, i) + r + line.substr(i + 1));
                }
            }
            variants.push_back(line.substr(0, i) + line.substr(i + 1));
            variants.push_back(line.substr(0, i) + ' ' + line.substr(i));
            for (const auto& variant : variants) {
                ++tried;
                const auto scanned = scan_canonical_record(variant);
                if (!scanned) {
                    continue;
                }
                ++accepted;
                const auto reference = full_path(document, variant);
                INFO(variant);
                REQUIRE(reference);
                CHECK(same(*scanned, *reference));
            }
        }
    }
    // Changes inside string contents stay canonical (and must then still be accepted).
    CHECK(accepted > 0);
    CHECK(accepted < tried);
}

TEST_CASE("the scanner declines what is valid JSON but not canonical or not laid out") {
    const std::string line = sample_lines()[3]; // session.end
    const auto with = [&](std::string_view from, std::string_view to) {
        const auto at = line.find(from);
        REQUIRE(at != std::string::npos);
        return line.substr(0, at) + std::string(to) + line.substr(at + from.size());
    };
    REQUIRE(scan_canonical_record(line));
    CHECK_FALSE(scan_canonical_record(with("\"exit_code\":", "\"exit_code\": ")));
    CHECK_FALSE(scan_canonical_record(with("\"wrapper_status\":0", "\"wrapper_status\":-0")));
    CHECK_FALSE(scan_canonical_record(with("\"wrapper_status\":0", "\"wrapper_status\":00")));
    CHECK_FALSE(
        scan_canonical_record(with("\"wrapper_status\":0", "\"wrapper_status\":9007199254740992")));
    CHECK(scan_canonical_record(
        with("\"wrapper_status\":0", "\"wrapper_status\":-9007199254740991")));
    CHECK_FALSE(scan_canonical_record(with("\"kind\":\"event\"", "\"kind\":\"ev\\u0065nt\"")));
    CHECK_FALSE(scan_canonical_record(with("\"kind\":\"event\"", "\"kind\":\"ev\\/ent\"")));
    CHECK_FALSE(scan_canonical_record(with("\"kind\":\"event\"", "\"kind\":\"ev\\u000aent\"")));
    CHECK_FALSE(scan_canonical_record(with("\"kind\":\"event\"", "\"kind\":\"ev\\u001Fent\"")));
    CHECK(scan_canonical_record(with("\"kind\":\"event\"", "\"kind\":\"ev\\u001fent\"")));
    CHECK_FALSE(scan_canonical_record(with("\"kind\":\"event\"", "\"k\\u0069nd\":\"event\"")));
    CHECK_FALSE(scan_canonical_record(with("\"kind\":\"event\",", "")));               // missing
    CHECK_FALSE(scan_canonical_record(with("\"kind\":", "\"kind\":\"x\",\"kind\":"))); // twice
    CHECK_FALSE(scan_canonical_record(with("\"kind\":", "\"extra\":1,\"kind\":")));    // unknown
    CHECK_FALSE(scan_canonical_record(with("\"format\":2", "\"format\":3")));
    CHECK_FALSE(scan_canonical_record(with("\"type\":\"session.end\"", "\"type\":\"checkpoint\"")));
    CHECK_FALSE(scan_canonical_record(line + " "));
    CHECK_FALSE(scan_canonical_record(" " + line));
    CHECK_FALSE(scan_canonical_record(line + "{}"));
    CHECK_FALSE(scan_canonical_record(""));
    CHECK_FALSE(scan_canonical_record("{"));
}
