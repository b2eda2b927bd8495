#include <catch2/catch.hpp>
#include <chrono>
#include <cstdint>
#include <stdexcept>
#include <string>
#include <string_view>
#include <vector>

#include "record/json_reader.hpp"
#include "record/json_writer.hpp"

using namespace asocat::record;
using namespace std::string_literals;

namespace {

// Lines written by audited-socat 0.1.0, record format 2: the session.start of
// `audited-socat -u OPEN:/dev/null CREATE:/tmp/jr-<0xFF>` (an argument that is not UTF-8, hence
// asocat.raw), its session.end, and the checkpoint sealing it.
const std::string_view kStartRecordWithRaw =
    R"json({"@timestamp":"2026-12-05T01:06:04.825826167Z","ecs":{"version":"8.11.0"},"event)json"
    R"json(":{"kind":"event","category":["session","process"],"type":["start"],"action":"se)json"
    R"json(ssion-start","dataset":"audited_socat.session","start":"2026-12-05T01:06:04.8258)json"
    R"json(26167Z"},"host":{"name":"vm"},"process":{"pid":8518,"name":"socat","executable":)json"
    R"json("/usr/bin/socat","args":["socat","-u","OPEN:/dev/null","CREATE:/tmp/jr-�"],"args)json"
    R"json(_count":4,"working_directory":"/tmp","hash":{"sha256":"efe928182e5dd32834c1d9344)json"
    R"json(0d813551c4451df47b1f7ed6fb88a840f3b55de"},"parent":{"pid":8514,"name":"audited-s)json"
    R"json(ocat","executable":"/work/main/build/RelWithDebInfo/src/audited-socat"}},"user":)json"
    R"json({"id":"0","name":"root","effective":{"id":"0","name":"root"}},"group":{"id":"0",)json"
    R"json("name":"root"},"asocat":{"format":2,"log":"f518ddbc-f404-432f-9c95-eacc4d9cdaee")json"
    R"json(,"seq":4,"prev":"hLP4mqfolXVnBfPit9JkSNKLJdw1utw3lIemySo0A7Q=","type":"session.s)json"
    R"json(tart","session":"ba876651-589e-45e1-bbad-85b9aa44173d","wrapper":{"version":"0.1)json"
    R"json(.0","privileged":false},"settings":{"config_files":[],"environment":["AUDITED_SO)json"
    R"json(CAT_LOG_DIR"],"log":"/tmp/jr-logs3/audit.jsonl","fail_open":false,"socat_source")json"
    R"json(:"default"},"identity":{"kernel":{"uid":{"id":0,"name":"root"},"euid":{"id":0,"n)json"
    R"json(ame":"root"},"gid":{"id":0,"name":"root"},"egid":{"id":0,"name":"root"},"groups")json"
    R"json(:[],"loginuid":null,"audit_session":null,"tty":null,"parent":{"pid":8488,"execut)json"
    R"json(able":"/usr/bin/bash","name":"bash","args":["bash","/dev/fd/3"]}}},"raw":[{"fiel)json"
    R"json(d":"process.args","index":3,"base64":"Q1JFQVRFOi90bXAvanIt/w=="}]}})json";

const std::string_view kEndRecord =
    R"json({"@timestamp":"2026-12-05T01:06:04.833679416Z","ecs":{"version":"8.11.0"},"event)json"
    R"json(":{"kind":"event","category":["session","process"],"type":["end"],"action":"sess)json"
    R"json(ion-end","outcome":"success","dataset":"audited_socat.session","start":"2026-12-)json"
    R"json(05T01:06:04.825826167Z","end":"2026-12-05T01:06:04.833679416Z","duration":751843)json"
    R"json(2},"process":{"pid":8518,"exit_code":0},"asocat":{"format":2,"log":"f518ddbc-f40)json"
    R"json(4-432f-9c95-eacc4d9cdaee","seq":5,"prev":"WsUcWYxthtD/M0evPU9bPG/3PNME62aHxEnLG8)json"
    R"json(rKTpA=","type":"session.end","session":"ba876651-589e-45e1-bbad-85b9aa44173d","e)json"
    R"json(nd":{"reason":"exited","exit_code":0,"exec_check":"matched","wrapper_status":0}})json"
    R"json(})json";

const std::string_view kCheckpointRecord =
    R"json({"@timestamp":"2026-12-05T01:06:04.833806946Z","ecs":{"version":"8.11.0"},"event)json"
    R"json(":{"kind":"state","category":["configuration"],"type":["info"],"action":"checkpo)json"
    R"json(int","dataset":"audited_socat.log"},"asocat":{"format":2,"log":"f518ddbc-f404-43)json"
    R"json(2f-9c95-eacc4d9cdaee","seq":6,"prev":"HVG20NXdKc/dzMMegC2lT/IydOvOrVeKPigdBzFuDc)json"
    R"json(0=","type":"checkpoint","reason":"session-end","size":6,"root":"kVL7u9WbKONo4FSC)json"
    R"json(Ok3r4W4MxRpmpoZqPutwupigMwc=","frontier":["Ipcd9lAtHPwfEkWF3/6LorYc8mMdynwNATflB)json"
    R"json(f/0qDU=","HkEDXEqDpf71FEemoiYKpvup1XMNr54wvaYG/lVk30E="],"note":"vm/audited-soca)json"
    R"json(t/f518ddbc-f404-432f-9c95-eacc4d9cdaee\n6\nkVL7u9WbKONo4FSCOk3r4W4MxRpmpoZqPutwu)json"
    R"json(pigMwc=\n\n— vm/audited-socat njKjV4mYNJDWB13ty2+RJbL9vlh0ygOW2A9XO8HwsCdxy2W8DZ)json"
    R"json(j385nS+U/hFs9VH9VUyqT6lMrBBmqaZ/6CmVmQVQY=\n"}})json";

struct Malformed {
    std::string text;
    JsonErrorKind kind;
    std::size_t offset;
};

void check_rejected(const std::vector<Malformed>& cases) {
    JsonDocument document;
    for (const Malformed& c : cases) {
        CAPTURE(c.text);
        const JsonParseResult result = document.parse(c.text);
        REQUIRE_FALSE(result);
        CHECK(to_string(result.error().kind) == to_string(c.kind));
        CHECK(result.error().offset == c.offset);
    }
}

std::string decoded_string(std::string_view json) {
    JsonDocument document;
    const JsonParseResult result = document.parse(json);
    if (!result) {
        return "<" + result.error().describe() + ">";
    }
    return std::string(result.root().as_string());
}

std::string canonical(std::string_view json) {
    JsonDocument document;
    const JsonParseResult result = document.parse(json);
    return result ? serialize_canonical(result.root()) : "<" + result.error().describe() + ">";
}

std::string nested_arrays(std::size_t depth) {
    return std::string(depth, '[') + std::string(depth, ']');
}

// {"k0":0,"k1":1,...} with `count` members, then `extra` before the closing brace.
std::string large_object(std::size_t count, const std::string& extra = "") {
    std::string json = "{";
    for (std::size_t i = 0; i < count; ++i) {
        json += (i == 0 ? "\"k" : ",\"k") + std::to_string(i) + "\":" + std::to_string(i);
    }
    return json + extra + "}";
}

} // namespace

TEST_CASE("real record lines parse and re-serialise to the same bytes", "[json_reader]") {
    JsonDocument document;
    for (const std::string_view line : {kStartRecordWithRaw, kEndRecord, kCheckpointRecord}) {
        CAPTURE(line);
        const JsonParseResult result = document.parse(line);
        REQUIRE(result);
        CHECK(serialize_canonical(result.root()) == line);
    }

    REQUIRE(document.parse(kStartRecordWithRaw));
    const JsonValue& root = document.root();
    REQUIRE(root.kind() == JsonKind::object);
    CHECK(root.size() == 8);
    CHECK(root.key(0) == "@timestamp");
    CHECK(root.key(7) == "asocat");
    const JsonValue* args = root.find("process")->find("args");
    REQUIRE(args != nullptr);
    REQUIRE(args->size() == 4);
    CHECK(args->at(3).as_string() == "CREATE:/tmp/jr-\xEF\xBF\xBD");
    const JsonValue& raw = root.find("asocat")->value(root.find("asocat")->size() - 1);
    CHECK(root.find("asocat")->key(root.find("asocat")->size() - 1) == "raw");
    CHECK(raw.at(0).find("index")->as_integer() == 3);
    CHECK(raw.at(0).find("base64")->as_string() == "Q1JFQVRFOi90bXAvanIt/w==");
    CHECK(root.find("asocat")->find("identity")->find("kernel")->find("loginuid")->kind() ==
          JsonKind::null);
    CHECK(root.find("asocat")->find("wrapper")->find("privileged")->as_bool() == false);

    REQUIRE(document.parse(kCheckpointRecord));
    const JsonValue& checkpoint = *document.root().find("asocat");
    CHECK(checkpoint.find("seq")->as_integer() == 6);
    CHECK(checkpoint.find("frontier")->size() == 2);
    const std::string_view note = checkpoint.find("note")->as_string();
    CHECK(note.substr(0, 59) == "vm/audited-socat/f518ddbc-f404-432f-9c95-eacc4d9cdaee\n6\nkVL");
    CHECK(note.find("\n\n\xE2\x80\x94 vm/audited-socat ") != std::string_view::npos);
}

TEST_CASE("whatever JsonWriter writes round-trips byte for byte", "[json_reader]") {
    JsonWriter writer;
    writer.begin_object().key("text").text("quote\" backslash\\ slash/ \n\r\t\b\f \x01\x1f \x7f");
    writer.key("unicode").text("\xC3\xA9 \xE2\x82\xAC \xF0\x9F\x98\x80 \xEF\xBF\xBD");
    writer.key("nul").text("a\0b"s);
    writer.key("ints").begin_array().integer(0).integer(-1).integer(kMaxExactInteger);
    writer.integer(-kMaxExactInteger).end_array();
    writer.key("k\"ey\n").boolean(true).key("").null();
    writer.key("deep").begin_array().begin_object().key("a").begin_array().end_array();
    writer.key("b").begin_object().end_object().end_object().end_array().end_object();
    std::string line = writer.take_line();
    line.pop_back();

    JsonDocument document;
    REQUIRE(document.parse(line));
    CHECK(serialize_canonical(document.root()) == line);
    CHECK(document.root().find("nul")->as_string() == "a\0b"s);
    CHECK(document.root().find("k\"ey\n")->as_bool());
}

TEST_CASE("escapes are decoded", "[json_reader]") {
    CHECK(decoded_string(R"("\" \\ \/ \b \f \n \r \t")") == "\" \\ / \b \f \n \r \t");
    CHECK(decoded_string(R"("\u0041\u00e9\u00E9\u20ac\u0000.")") ==
          "A\xC3\xA9\xC3\xA9\xE2\x82\xAC\0."s);
    CHECK(decoded_string(R"("\ud83d\ude00\uD83D\uDE00\udbff\udfff")") ==
          "\xF0\x9F\x98\x80\xF0\x9F\x98\x80\xF4\x8F\xBF\xBF");
    CHECK(decoded_string("\"raw \xC3\xA9 \xF4\x8F\xBF\xBF \x7F\"") ==
          "raw \xC3\xA9 \xF4\x8F\xBF\xBF \x7F");
    CHECK(decoded_string(R"("")") == "");
}

TEST_CASE("containers keep document order and answer lookups", "[json_reader]") {
    JsonDocument document;
    REQUIRE(document.parse(R"({"z":1,"a":[true,false,null,"s",-7,{},[]],"m":{"x":"y"}})"));
    const JsonValue& root = document.root();
    REQUIRE(root.size() == 3);
    CHECK(root.key(0) == "z");
    CHECK(root.key(1) == "a");
    CHECK(root.key(2) == "m");
    CHECK(root.value(0).as_integer() == 1);
    const JsonValue& list = root.value(1);
    REQUIRE(list.kind() == JsonKind::array);
    REQUIRE(list.size() == 7);
    CHECK(list.at(0).as_bool());
    CHECK_FALSE(list.at(1).as_bool());
    CHECK(list.at(2).kind() == JsonKind::null);
    CHECK(list.at(3).as_string() == "s");
    CHECK(list.at(4).as_integer() == -7);
    CHECK(list.at(5).kind() == JsonKind::object);
    CHECK(list.at(5).size() == 0);
    CHECK(list.at(6).kind() == JsonKind::array);
    CHECK(list.at(6).size() == 0);
    CHECK(root.find("m")->find("x")->as_string() == "y");
    CHECK(root.find("missing") == nullptr);
    CHECK(root.find("") == nullptr);
}

TEST_CASE("asking a node for what it is not is a programming error", "[json_reader]") {
    JsonDocument document;
    REQUIRE(document.parse(R"({"a":[1],"s":"x"})"));
    const JsonValue& root = document.root();
    CHECK_THROWS_AS(root.as_string(), std::logic_error);
    CHECK_THROWS_AS(root.at(0), std::logic_error);
    CHECK_THROWS_AS(root.value(1).as_integer(), std::logic_error);
    CHECK_THROWS_AS(root.value(1).size(), std::logic_error);
    CHECK_THROWS_AS(root.value(0).key(0), std::logic_error);
    CHECK_THROWS_AS(root.value(0).find("a"), std::logic_error);
    CHECK_THROWS_AS(root.value(0).at(0).as_bool(), std::logic_error);
    CHECK_THROWS_AS(root.value(0).at(1), std::out_of_range);
    CHECK_THROWS_AS(root.value(2), std::out_of_range);
    CHECK_THROWS_AS(root.key(2), std::out_of_range);
}

TEST_CASE("whitespace between tokens is accepted; canonical form drops it", "[json_reader]") {
    CHECK(canonical(" \t\r\n{ \"a\" : [ 1 , 2 ] ,\n\"b\"\t:\r{ } , \"c\" : [ ] } \n") ==
          R"({"a":[1,2],"b":{},"c":[]})");
    CHECK(canonical(" 0 ") == "0");
    CHECK(canonical(R"(["\u0041\/\u001F\u00e9\b"])") == "[\"A/\\u001f\xC3\xA9\\b\"]");
}

TEST_CASE("-0 is the integer 0, whose canonical form differs from the text", "[json_reader]") {
    JsonDocument document;
    REQUIRE(document.parse("-0"));
    CHECK(document.root().kind() == JsonKind::integer);
    CHECK(document.root().as_integer() == 0);
    CHECK(serialize_canonical(document.root()) == "0");
}

TEST_CASE("integers stay within the I-JSON exact range", "[json_reader]") {
    JsonDocument document;
    REQUIRE(document.parse("[9007199254740991,-9007199254740991]"));
    CHECK(document.root().at(0).as_integer() == kMaxExactInteger);
    CHECK(document.root().at(1).as_integer() == -kMaxExactInteger);
    check_rejected({
        {"9007199254740992", JsonErrorKind::integer_out_of_range, 0},
        {"[-9007199254740992]", JsonErrorKind::integer_out_of_range, 1},
        {"{\"n\":123456789012345678901234567890}", JsonErrorKind::integer_out_of_range, 5},
        {"1.0", JsonErrorKind::not_integer, 1},
        {"1e3", JsonErrorKind::not_integer, 1},
        {"[0,1E3]", JsonErrorKind::not_integer, 4},
        {"-0.0", JsonErrorKind::not_integer, 2},
        {"2.5e-3", JsonErrorKind::not_integer, 1},
        {"99999999999999999999.5", JsonErrorKind::not_integer, 20},
    });
}

TEST_CASE("syntax errors name the offending byte", "[json_reader]") {
    check_rejected({
        {"", JsonErrorKind::syntax, 0},
        {" \n", JsonErrorKind::syntax, 2},
        {"{} x", JsonErrorKind::syntax, 3},
        {"{}{}", JsonErrorKind::syntax, 2},
        {"1 2", JsonErrorKind::syntax, 2},
        {"01", JsonErrorKind::syntax, 1},
        {"-01", JsonErrorKind::syntax, 2},
        {"[00]", JsonErrorKind::syntax, 2},
        {"-", JsonErrorKind::syntax, 1},
        {"-a", JsonErrorKind::syntax, 1},
        {"+1", JsonErrorKind::syntax, 0},
        {".5", JsonErrorKind::syntax, 0},
        {"1.", JsonErrorKind::syntax, 2},
        {"1.e3", JsonErrorKind::syntax, 2},
        {"1e", JsonErrorKind::syntax, 2},
        {"1e+", JsonErrorKind::syntax, 3},
        {"1.0e", JsonErrorKind::syntax, 4},
        {"12a", JsonErrorKind::syntax, 2},
        {"tru", JsonErrorKind::syntax, 3},
        {"trux", JsonErrorKind::syntax, 3},
        {"True", JsonErrorKind::syntax, 0},
        {"nulll", JsonErrorKind::syntax, 4},
        {"[fals]", JsonErrorKind::syntax, 5},
        {"'a'", JsonErrorKind::syntax, 0},
        {"[1,]", JsonErrorKind::syntax, 3},
        {"[,1]", JsonErrorKind::syntax, 1},
        {"[1 2]", JsonErrorKind::syntax, 3},
        {"[", JsonErrorKind::syntax, 1},
        {"]", JsonErrorKind::syntax, 0},
        {"[1}", JsonErrorKind::syntax, 2},
        {"{\"a\"1}", JsonErrorKind::syntax, 4},
        {"{\"a\":1,}", JsonErrorKind::syntax, 7},
        {"{\"a\":}", JsonErrorKind::syntax, 5},
        {"{a:1}", JsonErrorKind::syntax, 1},
        {"{1:1}", JsonErrorKind::syntax, 1},
        {"{\"a\":1", JsonErrorKind::syntax, 6},
        {"{\"a\":1]", JsonErrorKind::syntax, 6},
        {"\"abc", JsonErrorKind::syntax, 4},
        {"\"abc\\", JsonErrorKind::syntax, 5},
        {"\"\\x\"", JsonErrorKind::syntax, 2},
        {"\"\\U0041\"", JsonErrorKind::syntax, 2},
        {"\"\\u12G4\"", JsonErrorKind::syntax, 5},
        {"\"\\u12", JsonErrorKind::syntax, 5},
        {"\"\\uD800\\u12\"", JsonErrorKind::syntax, 11},
        {"\xEF\xBB\xBF{}", JsonErrorKind::syntax, 0}, // a byte-order mark is not JSON
        {"\xFF", JsonErrorKind::syntax, 0},
        {"\f1", JsonErrorKind::syntax, 0}, // only space, tab, CR and LF are whitespace
        {"1\v", JsonErrorKind::syntax, 1},
        {"[1]\0"s, JsonErrorKind::syntax, 3},
    });
}

TEST_CASE("strings must be RFC 3629 UTF-8", "[json_reader]") {
    check_rejected({
        {"\"\xC0\xAF\"", JsonErrorKind::invalid_utf8, 1},           // overlong '/'
        {"\"ab\xE0\x80\xAF\"", JsonErrorKind::invalid_utf8, 3},     // overlong, 3 bytes
        {"\"ab\xED\xA0\x80\"", JsonErrorKind::invalid_utf8, 3},     // U+D800 encoded
        {"[\"\xF4\x90\x80\x80\"]", JsonErrorKind::invalid_utf8, 2}, // above U+10FFFF
        {"\"\xE2\x82\"", JsonErrorKind::invalid_utf8, 1},           // truncated
        {"\"\xE2\x82", JsonErrorKind::invalid_utf8, 1},             // truncated at the end
        {"\"\x80\"", JsonErrorKind::invalid_utf8, 1},               // lone continuation byte
        {"\"\xFF\"", JsonErrorKind::invalid_utf8, 1},
        {"{\"k\xF8\x88\x80\x80\x80\":1}", JsonErrorKind::invalid_utf8, 3},
    });
}

TEST_CASE("surrogate escapes must come in high-low pairs", "[json_reader]") {
    check_rejected({
        {R"("\uD800")", JsonErrorKind::lone_surrogate, 1},       // high at the end
        {R"("\uDBFF)", JsonErrorKind::lone_surrogate, 1},        // high at the end of the text
        {R"("ab\uDC00")", JsonErrorKind::lone_surrogate, 3},     // low alone
        {R"("\uD800\u0041")", JsonErrorKind::lone_surrogate, 1}, // high, then not a low
        {R"("\uD800x")", JsonErrorKind::lone_surrogate, 1},      // high, then no escape
        {R"("\uD800\n")", JsonErrorKind::lone_surrogate, 1},     // high, then another escape
        {R"("\uD800\uD800\uDC00")", JsonErrorKind::lone_surrogate, 1}, // two highs
        {R"("\uDE00\uD83D")", JsonErrorKind::lone_surrogate, 1},       // pair in the wrong order
        {R"({"\uDFFF":1})", JsonErrorKind::lone_surrogate, 2},         // in a member name
    });
}

TEST_CASE("raw control characters are refused in strings, DEL is not", "[json_reader]") {
    check_rejected({
        {"\"a\x01\"", JsonErrorKind::control_character, 2},
        {"\"\x1F\"", JsonErrorKind::control_character, 1},
        {"\"\t\"", JsonErrorKind::control_character, 1},
        {"[\"a\nb\"]", JsonErrorKind::control_character, 3},
        {"\"\0\""s, JsonErrorKind::control_character, 1},
        {"{\"\r\":0}", JsonErrorKind::control_character, 2},
    });
    CHECK(decoded_string("\"\x7F\"") == "\x7F");
}

TEST_CASE("a member name may appear once per object, compared after decoding", "[json_reader]") {
    check_rejected({
        {R"({"a":1,"a":2})", JsonErrorKind::duplicate_key, 7},
        {R"({"a":1,"\u0061":2})", JsonErrorKind::duplicate_key, 7},
        {R"({"\/":1,"/":2})", JsonErrorKind::duplicate_key, 8},
        {R"({"a":1,"b":{"c":1},"a":3})", JsonErrorKind::duplicate_key, 19},
        {R"([{"x":{"y":0,"y":0}}])", JsonErrorKind::duplicate_key, 13},
        {"{\"\":0,\"\":1}", JsonErrorKind::duplicate_key, 6},
    });
    JsonDocument document;
    CHECK(document.parse(R"({"a":{"a":1},"b":{"a":2},"A":0,"a ":0})"));
    CHECK(document.parse(R"({"a\u0000":0,"a":1})"));
}

TEST_CASE("duplicate names are found in large objects too", "[json_reader]") {
    const std::string members = large_object(1000);
    JsonDocument document;
    REQUIRE(document.parse(members));
    CHECK(document.root().size() == 1000);
    CHECK(document.root().key(999) == "k999");
    CHECK(document.root().find("k500")->as_integer() == 500);
    CHECK(serialize_canonical(document.root()) == members);

    // The repeated name is met after the object switched from a scan to the hash set.
    check_rejected({
        {large_object(1000, ",\"k3\":0"), JsonErrorKind::duplicate_key, members.size()},
        {large_object(1000, ",\"k999\":0"), JsonErrorKind::duplicate_key, members.size()},
        {large_object(17, ",\"k16\":0"), JsonErrorKind::duplicate_key, large_object(17).size()},
    });

    // Large objects inside large objects reuse the same names without clashing.
    std::string nested = "{";
    for (int i = 0; i < 40; ++i) {
        nested += (i == 0 ? "\"k" : ",\"k") + std::to_string(i) + "\":" + large_object(40);
    }
    nested += "}";
    REQUIRE(document.parse(nested));
    CHECK(document.root().size() == 40);
    CHECK(document.root().value(39).key(39) == "k39");
    CHECK(serialize_canonical(document.root()) == nested);

    // A duplicate in the outer object after inner ones have closed.
    check_rejected({{nested.substr(0, nested.size() - 1) + ",\"k7\":0}",
                     JsonErrorKind::duplicate_key, nested.size()}});
}

TEST_CASE("nesting is limited to kMaxJsonDepth", "[json_reader]") {
    JsonDocument document;
    REQUIRE(document.parse(nested_arrays(kMaxJsonDepth)));
    CHECK(serialize_canonical(document.root()) == nested_arrays(kMaxJsonDepth));

    std::string objects;
    for (std::size_t i = 0; i < kMaxJsonDepth; ++i) {
        objects += "{\"a\":";
    }
    REQUIRE(document.parse(objects + "0" + std::string(kMaxJsonDepth, '}')));
    check_rejected({
        {nested_arrays(kMaxJsonDepth + 1), JsonErrorKind::too_deep, kMaxJsonDepth},
        {objects + "[0]" + std::string(kMaxJsonDepth, '}'), JsonErrorKind::too_deep,
         objects.size()},
    });

    // Ten megabytes of brackets stop at the limit, long before the end.
    const std::string brackets(10'000'000, '[');
    const JsonParseResult result = document.parse(brackets);
    REQUIRE_FALSE(result);
    CHECK(result.error().kind == JsonErrorKind::too_deep);
    CHECK(result.error().offset == kMaxJsonDepth);
}

TEST_CASE("texts above kMaxJsonInputBytes are refused before they are read", "[json_reader]") {
    JsonDocument document;
    std::string text(kMaxJsonInputBytes - 1, ' ');
    text += '0';
    REQUIRE(document.parse(text));
    CHECK(document.root().as_integer() == 0);

    text += ' ';
    const JsonParseResult at_limit_plus_one = document.parse(text);
    REQUIRE_FALSE(at_limit_plus_one);
    CHECK(at_limit_plus_one.error().kind == JsonErrorKind::too_large);
    CHECK(at_limit_plus_one.error().offset == kMaxJsonInputBytes);

    const std::string twenty_megabytes(20'000'000, '[');
    const auto start = std::chrono::steady_clock::now();
    const JsonParseResult result = document.parse(twenty_megabytes);
    const auto elapsed = std::chrono::steady_clock::now() - start;
    REQUIRE_FALSE(result);
    CHECK(result.error().kind == JsonErrorKind::too_large);
    CHECK(result.error().offset == kMaxJsonInputBytes);
    CHECK(elapsed < std::chrono::milliseconds(50));
}

TEST_CASE("errors describe themselves in one line", "[json_reader]") {
    JsonDocument document;
    const JsonParseResult result = document.parse(R"({"a":1,"a":2})");
    REQUIRE_FALSE(result);
    CHECK(result.error().describe() ==
          "member name used twice in one object at byte 7 (duplicate_key)");
    CHECK(to_string(JsonErrorKind::integer_out_of_range) == "integer_out_of_range");
    CHECK(to_string(JsonErrorKind::too_large) == "too_large");
    CHECK_THROWS_AS(result.root(), std::logic_error);
}

TEST_CASE("one document parses text after text", "[json_reader]") {
    JsonDocument document;
    CHECK_THROWS_AS(document.root(), std::logic_error); // nothing parsed yet

    const JsonParseResult first = document.parse(kEndRecord);
    REQUIRE(first);
    CHECK_THROWS_AS(first.error(), std::logic_error);
    CHECK(&first.root() == &document.root());
    CHECK(serialize_canonical(document.root()) == kEndRecord);

    REQUIRE(document.parse(large_object(100)));
    CHECK(document.root().size() == 100);

    REQUIRE_FALSE(document.parse("[1,"));
    CHECK_THROWS_AS(document.root(), std::logic_error); // a failed parse leaves no root

    REQUIRE(document.parse("\"short\""));
    CHECK(document.root().as_string() == "short");
    REQUIRE(document.parse(kStartRecordWithRaw));
    CHECK(serialize_canonical(document.root()) == kStartRecordWithRaw);
}
