#include <catch2/catch.hpp>

#include "record/raw_fields.hpp"

using namespace asocat::record;

TEST_CASE("only fields that were not UTF-8 get their exact bytes recorded") {
    JsonWriter w;
    RawFields raw;
    w.begin_object().key("args").begin_array();
    raw.text(w, "process.args", "socat", 0);
    raw.text(w, "process.args", "OPEN:\xFF\xFE", 1);
    w.end_array();
    w.key("cwd");
    raw.text(w, "process.working_directory", "/tmp/\x80");
    raw.write_member(w);
    w.end_object();
    CHECK(w.take_line() ==
          "{\"args\":[\"socat\",\"OPEN:\xEF\xBF\xBD\xEF\xBF\xBD\"],"
          "\"cwd\":\"/tmp/\xEF\xBF\xBD\","
          "\"raw\":[{\"field\":\"process.args\",\"index\":1,\"base64\":\"T1BFTjr//g==\"},"
          "{\"field\":\"process.working_directory\",\"base64\":\"L3RtcC+A\"}]}\n");
}

TEST_CASE("no raw member when everything was UTF-8") {
    JsonWriter w;
    RawFields raw;
    w.begin_object().key("a");
    raw.text(w, "a", "\xC3\xA9");
    raw.write_member(w);
    w.end_object();
    CHECK(raw.empty());
    CHECK(w.take_line() == "{\"a\":\"\xC3\xA9\"}\n");
}
