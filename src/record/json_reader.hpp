// Strict JSON reader for the verifier: parses one JSON text (RFC 8259; a record line without its
// LF) into a read-only tree and refuses what no record may hold: bytes that are not UTF-8 (RFC
// 3629), unpaired surrogate escapes, raw control characters in strings, a member name used twice
// in one object, numbers that are not integers in I-JSON's exact range. Whitespace between
// tokens is valid JSON and accepted; the canonical form is checked by comparing
// `serialize_canonical` (JsonWriter, the one serialiser) with the line's bytes.
//
// One JsonDocument parses any number of texts and keeps its buffers (they grow to the largest
// text seen: its size plus about 64 bytes per value), so a steady stream of similar lines
// allocates nothing. Parsing is iterative and bounded by kMaxJsonInputBytes and kMaxJsonDepth;
// duplicate names are found in expected linear time even in huge objects.
#pragma once

#include <cstddef>
#include <cstdint>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "record/json_writer.hpp"

namespace asocat::record {

// Longer texts are refused before any byte is looked at.
inline constexpr std::size_t kMaxJsonInputBytes = std::size_t{16} * 1024 * 1024;
// Arrays and objects open at once; records nest about 7 deep.
inline constexpr std::size_t kMaxJsonDepth = 64;

enum class JsonKind : std::uint8_t { null, boolean, integer, string, array, object };

enum class JsonErrorKind : std::uint8_t {
    syntax,               // anything RFC 8259 does not allow, incl. empty input and trailing data
    invalid_utf8,         // in a string (outside, any non-JSON byte is syntax): overlong,
                          // surrogate, above U+10FFFF, truncated, stray continuation, ...
    lone_surrogate,       // \uD800-\uDFFF escape that is not a high-low pair
    control_character,    // raw U+0000-U+001F inside a string (U+007F is allowed)
    duplicate_key,        // the same decoded member name twice in one object
    not_integer,          // a number with a fraction or an exponent
    integer_out_of_range, // outside -(2^53-1)..2^53-1
    too_deep,             // more than kMaxJsonDepth arrays and objects open
    too_large,            // more than kMaxJsonInputBytes
};

// "syntax", "invalid_utf8", ... (the enumerator's name).
std::string_view to_string(JsonErrorKind kind);

// Where parsing stopped. `offset` is the byte of the text that made it invalid:
// - syntax: the unexpected byte, or the text's size when it ended early;
// - invalid_utf8, control_character: the offending byte;
// - lone_surrogate: the backslash of the unpaired escape (the high one if a low is missing);
// - duplicate_key: the opening quote of the second occurrence;
// - not_integer: the '.', 'e' or 'E'; integer_out_of_range: the number's first byte;
// - too_deep: the bracket that opens one level too many; too_large: kMaxJsonInputBytes.
// Syntax is checked before meaning: "1." is syntax, "1.5" not_integer.
struct JsonError {
    JsonErrorKind kind = JsonErrorKind::syntax;
    std::size_t offset = 0;
    std::string_view detail; // static text saying what was wrong or expected

    // One line: "<detail> at byte <offset> (<kind>)".
    std::string describe() const;
};

// A node of a parsed document. Valid until the document parses again or is destroyed. Asking a
// node for what its kind does not have (as_string on an integer, key on an array) throws
// std::logic_error; indices out of range throw std::out_of_range.
class JsonValue {
public:
    JsonKind kind() const { return m_kind; }

    bool as_bool() const;
    std::int64_t as_integer() const;
    // The decoded UTF-8 text (escapes resolved; may contain U+0000).
    std::string_view as_string() const;

    // Elements of an array or members of an object.
    std::size_t size() const;
    // Arrays: the element at `index`.
    const JsonValue& at(std::size_t index) const;
    // Objects, in document order: the decoded name and the value of member `index`.
    std::string_view key(std::size_t index) const;
    const JsonValue& value(std::size_t index) const;
    // Objects: the member named `name` (linear search), nullptr if there is none.
    const JsonValue* find(std::string_view name) const;

private:
    friend class JsonDocument;
    JsonValue() = default;

    void require(JsonKind expected) const;
    void require_container() const;

    // Containers hold the index of their first child while the document is being built and a
    // pointer to it once the node arena stops moving.
    union Payload {
        std::int64_t integer = 0;
        bool boolean;
        const char* text;
        std::size_t first_child;
        const JsonValue* children;
    };

    Payload m_payload;
    const char* m_key = nullptr;  // object members only: the decoded name
    std::uint32_t m_key_size = 0; // bytes of m_key
    std::uint32_t m_size = 0;     // bytes of a string, children of a container
    JsonKind m_kind = JsonKind::null;
};

class JsonDocument;

// The root of the parsed document, or why there is none.
class [[nodiscard]] JsonParseResult {
public:
    bool has_value() const { return m_root != nullptr; }
    explicit operator bool() const { return has_value(); }
    // Throws std::logic_error if parsing failed.
    const JsonValue& root() const;
    // Throws std::logic_error if parsing succeeded.
    const JsonError& error() const;

private:
    friend class JsonDocument;
    explicit JsonParseResult(const JsonValue* root) : m_root(root) {}
    explicit JsonParseResult(JsonError error) : m_error(error) {}

    const JsonValue* m_root = nullptr;
    JsonError m_error;
};

// Owns the nodes and decoded strings of the last text parsed. Neither copyable nor movable: the
// nodes point into its buffers.
class JsonDocument {
public:
    JsonDocument();
    JsonDocument(const JsonDocument&) = delete;
    JsonDocument& operator=(const JsonDocument&) = delete;

    // Parses exactly one JSON text, with optional whitespace around it. Malformed input is
    // reported, never thrown. Invalidates every node of the previous parse.
    JsonParseResult parse(std::string_view text);

    // The last successful parse's top value; throws std::logic_error if the last parse failed.
    const JsonValue& root() const;

private:
    class Parser;

    // An array or object still open during parsing.
    struct Frame {
        bool is_object = false;
        std::uint32_t node = 0;            // its own node in m_pending, or the root
        std::uint32_t first_pending = 0;   // its children start here in m_pending
        std::uint32_t key_table_owner = 0; // 0 until it is large enough to use m_key_table
        const char* key = nullptr;         // name of the member being parsed
        std::uint32_t key_size = 0;
    };

    // Open-addressing hash set of the member names of large open objects, so duplicates are
    // found in linear time. `owner` 0 marks a free slot.
    struct KeySlot {
        std::uint32_t owner = 0;
        std::uint32_t hash = 0;
        std::uint32_t pending_index = 0; // the member's value in m_pending
    };

    std::vector<JsonValue> m_nodes;   // finished nodes; siblings contiguous; root last
    std::vector<JsonValue> m_pending; // children of the containers still open
    std::vector<Frame> m_frames;
    std::unique_ptr<char[]> m_text; // decoded strings; never longer than the input
    std::size_t m_text_capacity = 0;
    std::vector<KeySlot> m_key_table;
    std::vector<KeySlot> m_spare_key_table;   // rehash target, swapped in
    std::vector<bool> m_key_table_owner_open; // per owner id: is that object still open
    const JsonValue* m_root = nullptr;
};

// Writes `value` (from a parse) as the next value of `writer`.
void write_value(JsonWriter& writer, const JsonValue& value);

// The canonical bytes of `value` (without a trailing LF), written by JsonWriter: for every line
// JsonWriter produced, serialize_canonical(parse(line).root()) == line.
std::string serialize_canonical(const JsonValue& value);
// The same into `scratch`, reusing its buffer: the view is valid until `scratch` is used again.
std::string_view serialize_canonical(const JsonValue& value, JsonWriter& scratch);

} // namespace asocat::record
