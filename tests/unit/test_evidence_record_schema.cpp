#include <catch2/catch.hpp>

#include "evidence/record_schema.hpp"
#include "record/json_reader.hpp"
#include "record/session_records.hpp"

using namespace asocat;

namespace {

std::string check(const std::string& line, std::string_view type) {
    record::JsonDocument document;
    auto parsed = document.parse(line);
    REQUIRE(parsed);
    return evidence::check_record_shape(parsed.root(), type);
}

std::string end_line() {
    session::SessionEnd e;
    e.id = "s";
    util::Digest256 prev{};
    auto line = record::session_end_record(e).render({"log", 1, prev});
    line.pop_back();
    return line;
}

} // namespace

TEST_CASE("records as the writer renders them conform", "[schema]") {
    CHECK(check(end_line(), "session.end").empty());
}

TEST_CASE("missing, unknown, misplaced and mistyped members are named", "[schema]") {
    const std::string line = end_line();
    auto replace = [&](const std::string& from, const std::string& to) {
        std::string changed = line;
        const auto at = changed.find(from);
        REQUIRE(at != std::string::npos);
        changed.replace(at, from.size(), to);
        return changed;
    };
    CHECK(check(replace("\"exec_check\":", "\"exec_chek\":"), "session.end") ==
          "asocat.end.exec_chek is not a member of this record type");
    CHECK(check(replace("\"reason\":\"exited\",\"exit_code\":0",
                        "\"exit_code\":0,\"reason\":\"exited\""),
                "session.end") == "asocat.end.exit_code is out of order (reason comes first)");
    CHECK(check(replace("\"wrapper_status\":0", "\"wrapper_status\":\"0\""), "session.end") ==
          "asocat.end.wrapper_status must be an integer");
    CHECK(check(replace(",\"exec_check\":\"not-checked\"", ""), "session.end") ==
          "asocat.end.exec_check is missing");
    CHECK(check(end_line(), "session.start") == "event.outcome is not a member of this record "
                                                "type");
    CHECK(check(end_line(), "mystery") ==
          "asocat.type \"mystery\" is not a record type of format 2");
}

TEST_CASE("the JSON Schema names every record type", "[schema]") {
    const auto schema = evidence::json_schema();
    for (const auto type : evidence::record_types()) {
        CHECK_THAT(schema, Catch::Contains("\"const\":\"" + std::string(type) + "\""));
    }
    record::JsonDocument document;
    std::string_view text(schema);
    text.remove_suffix(1);
    CHECK(document.parse(text));
}
