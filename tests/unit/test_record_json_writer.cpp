#include <catch2/catch.hpp>
#include <stdexcept>
#include <string>

#include "record/json_writer.hpp"

using asocat::record::JsonWriter;
using asocat::record::kMaxExactInteger;

TEST_CASE("objects keep the caller's key order and carry no whitespace") {
    JsonWriter w;
    w.begin_object().key("z").integer(1).key("a").text("x");
    w.key("list").begin_array().integer(-2).boolean(true).null().begin_object().end_object();
    w.end_array().end_object();
    CHECK(w.take_line() == "{\"z\":1,\"a\":\"x\",\"list\":[-2,true,null,{}]}\n");
}

TEST_CASE("strings are escaped minimally") {
    JsonWriter w;
    w.begin_array().text("quote\" backslash\\ slash/ \n\r\t\b\f \x01\x1f \x7f \xE2\x80\xA8");
    w.end_array();
    CHECK(
        w.take_line() ==
        "[\"quote\\\" backslash\\\\ slash/ \\n\\r\\t\\b\\f \\u0001\\u001f \x7f \xE2\x80\xA8\"]\n");
}

TEST_CASE("text must be UTF-8; text_lossy substitutes and reports") {
    JsonWriter w;
    w.begin_array();
    CHECK_THROWS_AS(w.text("\xFF"), std::logic_error);
    CHECK_FALSE(w.text_lossy("fine"));
    CHECK(w.text_lossy("bad\xFF"));
    w.end_array();
    CHECK(w.take_line() == "[\"fine\",\"bad\xEF\xBF\xBD\"]\n");
}

TEST_CASE("integers stay inside the I-JSON exact range") {
    JsonWriter w;
    w.begin_array().integer(kMaxExactInteger).integer(-kMaxExactInteger);
    CHECK_THROWS_AS(w.integer(kMaxExactInteger + 1), std::out_of_range);
    CHECK_THROWS_AS(w.integer(-kMaxExactInteger - 1), std::out_of_range);
    w.end_array();
    CHECK(w.take_line() == "[9007199254740991,-9007199254740991]\n");
}

TEST_CASE("malformed use is a programming error, not silent output") {
    JsonWriter w;
    CHECK_THROWS_AS(w.end_object(), std::logic_error);
    w.begin_object();
    CHECK_THROWS_AS(w.take_line(), std::logic_error);
    w.key("k");
    CHECK_THROWS_AS(w.key("again"), std::logic_error);
    CHECK_THROWS_AS(w.end_object(), std::logic_error);
    w.integer(1).end_object();
    CHECK_THROWS_AS(w.begin_object(), std::logic_error); // a second top-level value
    CHECK(w.take_line() == "{\"k\":1}\n");
}

TEST_CASE("the writer is reusable after take_line") {
    JsonWriter w;
    w.begin_object().end_object();
    CHECK(w.take_line() == "{}\n");
    w.begin_array().end_array();
    CHECK(w.take_line() == "[]\n");
}

TEST_CASE("JSON Lines: documents follow each other in one buffer, each ended by a newline") {
    JsonWriter w;
    CHECK(w.begin_object().key("a").integer(1).end_object().end_line() == "{\"a\":1}");
    CHECK(w.begin_array().text("x").end_array().end_line() == "[\"x\"]");
    CHECK(w.lines() == "{\"a\":1}\n[\"x\"]\n");
    CHECK_THROWS_AS(w.view(), std::logic_error); // more than one document
    w.begin_object();
    CHECK_THROWS_AS(w.lines(), std::logic_error); // one still open
    CHECK_THROWS_AS(w.end_line(), std::logic_error);
    w.end_object();
    CHECK_THROWS_AS(w.integer(1), std::logic_error); // two values on one line
    w.clear();
    CHECK_THROWS_AS(w.end_line(), std::logic_error); // nothing to end
    CHECK(w.lines().empty());
}

TEST_CASE("a string refused as not UTF-8 leaves the document exactly as it was") {
    JsonWriter w;
    w.begin_object().key("a").integer(1);
    CHECK_THROWS_AS(w.key("a valid prefix, then \xC3"), std::logic_error); // truncated
    w.key("b");
    CHECK_THROWS_AS(w.text(std::string(40, 'x') + "\xED\xA0\x80"), std::logic_error); // surrogate
    CHECK_THROWS_AS(w.text("\xF4\x90\x80\x80"), std::logic_error); // above U+10FFFF
    CHECK_THROWS_AS(w.text("\xC0\xAF"), std::logic_error);         // overlong
    w.begin_array();
    CHECK_THROWS_AS(w.text("\x80"), std::logic_error); // as the first element
    w.text("caf\xC3\xA9 \xF0\x9F\x98\x80");
    CHECK_THROWS_AS(w.text("x\xFF"), std::logic_error); // after an element
    w.text("end").end_array().end_object();
    CHECK(w.take_line() == "{\"a\":1,\"b\":[\"caf\xC3\xA9 \xF0\x9F\x98\x80\",\"end\"]}\n");
}
