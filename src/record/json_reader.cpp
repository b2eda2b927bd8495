#include "record/json_reader.hpp"

#include <algorithm>
#include <cstring>
#include <functional>
#include <stdexcept>

#include "record/json_string_scan.hpp"
#include "record/json_writer.hpp"
#include "util/utf8.hpp"

namespace asocat::record {

std::string_view to_string(JsonErrorKind kind) {
    switch (kind) {
    case JsonErrorKind::syntax:
        return "syntax";
    case JsonErrorKind::invalid_utf8:
        return "invalid_utf8";
    case JsonErrorKind::lone_surrogate:
        return "lone_surrogate";
    case JsonErrorKind::control_character:
        return "control_character";
    case JsonErrorKind::duplicate_key:
        return "duplicate_key";
    case JsonErrorKind::not_integer:
        return "not_integer";
    case JsonErrorKind::integer_out_of_range:
        return "integer_out_of_range";
    case JsonErrorKind::too_deep:
        return "too_deep";
    case JsonErrorKind::too_large:
        return "too_large";
    }
    return "unknown";
}

std::string JsonError::describe() const {
    std::string line(detail);
    line += " at byte ";
    line += std::to_string(offset);
    line += " (";
    line += to_string(kind);
    line += ')';
    return line;
}

// --- JsonValue ---------------------------------------------------------------------------------

void JsonValue::require(JsonKind expected) const {
    if (m_kind != expected) {
        throw std::logic_error("JsonValue: node is not of the requested kind");
    }
}

void JsonValue::require_container() const {
    if (m_kind != JsonKind::array && m_kind != JsonKind::object) {
        throw std::logic_error("JsonValue: node is neither an array nor an object");
    }
}

bool JsonValue::as_bool() const {
    require(JsonKind::boolean);
    return m_payload.boolean;
}

std::int64_t JsonValue::as_integer() const {
    require(JsonKind::integer);
    return m_payload.integer;
}

std::string_view JsonValue::as_string() const {
    require(JsonKind::string);
    return {m_payload.text, m_size};
}

std::size_t JsonValue::size() const {
    require_container();
    return m_size;
}

const JsonValue& JsonValue::at(std::size_t index) const {
    require(JsonKind::array);
    if (index >= m_size) {
        throw std::out_of_range("JsonValue::at: index past the last element");
    }
    return m_payload.children[index];
}

std::string_view JsonValue::key(std::size_t index) const {
    const JsonValue& member = value(index);
    return {member.m_key, member.m_key_size};
}

const JsonValue& JsonValue::value(std::size_t index) const {
    require(JsonKind::object);
    if (index >= m_size) {
        throw std::out_of_range("JsonValue::value: index past the last member");
    }
    return m_payload.children[index];
}

const JsonValue* JsonValue::find(std::string_view name) const {
    require(JsonKind::object);
    for (std::size_t i = 0; i < m_size; ++i) {
        const JsonValue& member = m_payload.children[i];
        if (std::string_view(member.m_key, member.m_key_size) == name) {
            return &member;
        }
    }
    return nullptr;
}

// --- JsonParseResult ---------------------------------------------------------------------------

const JsonValue& JsonParseResult::root() const {
    if (m_root == nullptr) {
        throw std::logic_error("JsonParseResult::root() called on a failed parse: " +
                               m_error.describe());
    }
    return *m_root;
}

const JsonError& JsonParseResult::error() const {
    if (m_root != nullptr) {
        throw std::logic_error("JsonParseResult::error() called on a successful parse");
    }
    return m_error;
}

// --- Parser ------------------------------------------------------------------------------------

namespace {

// Objects up to this many members are checked for duplicate names by a linear scan; beyond it
// they use the document's hash set.
constexpr std::size_t kLinearKeyCheckLimit = 16;
constexpr std::size_t kInitialKeyTableSlots = 128; // a power of two

bool is_whitespace(char c) {
    return c == ' ' || c == '\t' || c == '\n' || c == '\r';
}
bool is_digit(char c) {
    return c >= '0' && c <= '9';
}

int hex_digit_value(char c) {
    if (c >= '0' && c <= '9') {
        return c - '0';
    }
    if (c >= 'a' && c <= 'f') {
        return c - 'a' + 10;
    }
    if (c >= 'A' && c <= 'F') {
        return c - 'A' + 10;
    }
    return -1;
}

bool is_high_surrogate(std::uint32_t unit) {
    return unit >= 0xD800 && unit <= 0xDBFF;
}
bool is_low_surrogate(std::uint32_t unit) {
    return unit >= 0xDC00 && unit <= 0xDFFF;
}

// Encodes a Unicode scalar value (never a surrogate) and returns the advanced cursor.
char* append_utf8(char* out, std::uint32_t cp) {
    const auto byte = [](std::uint32_t v) {
        return static_cast<char>(static_cast<unsigned char>(v));
    };
    if (cp < 0x80) {
        *out++ = byte(cp);
    } else if (cp < 0x800) {
        *out++ = byte(0xC0 | (cp >> 6));
        *out++ = byte(0x80 | (cp & 0x3F));
    } else if (cp < 0x10000) {
        *out++ = byte(0xE0 | (cp >> 12));
        *out++ = byte(0x80 | ((cp >> 6) & 0x3F));
        *out++ = byte(0x80 | (cp & 0x3F));
    } else {
        *out++ = byte(0xF0 | (cp >> 18));
        *out++ = byte(0x80 | ((cp >> 12) & 0x3F));
        *out++ = byte(0x80 | ((cp >> 6) & 0x3F));
        *out++ = byte(0x80 | (cp & 0x3F));
    }
    return out;
}

std::uint32_t hash_key(std::string_view key) {
    return static_cast<std::uint32_t>(std::hash<std::string_view>{}(key));
}

} // namespace

// One parse of one text. Every step returns false after recording the first error; nothing
// throws for malformed input. Nesting is tracked in m_frames, never on the call stack.
class JsonDocument::Parser {
public:
    Parser(JsonDocument& document, std::string_view text)
        : m_doc(document), m_text(text), m_out(document.m_text.get()) {}

    JsonParseResult run();

private:
    bool fail(JsonErrorKind kind, std::size_t offset, std::string_view detail) {
        m_error = JsonError{kind, offset, detail};
        return false;
    }
    bool fail_syntax(std::string_view detail) { return fail(JsonErrorKind::syntax, m_pos, detail); }

    bool at_end() const { return m_pos >= m_text.size(); }
    char peek() const { return m_text[m_pos]; }
    void skip_whitespace() {
        while (!at_end() && is_whitespace(peek())) {
            ++m_pos;
        }
    }

    // The node the next value is parsed into: the root, or a new child of the innermost open
    // container (carrying its member name). Nodes are built in place, never copied, until their
    // container closes.
    JsonValue& new_value_slot();
    JsonValue& container_node(const Frame& frame) {
        return frame.node == kRootNode ? m_root_value : m_doc.m_pending[frame.node];
    }
    // Parses a value starting at m_pos into `value`. A scalar or empty container completes it;
    // a non-empty container is left open in m_frames with `opened` set.
    bool begin_value(JsonValue& value, bool& opened);
    bool open_container(JsonValue& value, bool& opened, bool is_object);
    // After '{' or ',' in an object: `"name"` ':' with whitespace around.
    bool member_name();
    bool check_new_key(Frame& frame, std::string_view key, std::size_t key_offset);
    bool is_duplicate_in_large_object(Frame& frame, std::string_view key);
    void grow_key_table();
    void insert_key_slot(std::vector<KeySlot>& table, KeySlot slot);
    void close_container();

    bool string(const char*& begin, std::uint32_t& size);
    bool escape();
    bool hex_unit(std::size_t at, std::uint32_t& unit);
    bool number(JsonValue& value);
    bool literal(std::string_view word);

    static constexpr std::uint32_t kRootNode = UINT32_MAX;

    JsonDocument& m_doc;
    JsonValue m_root_value;
    std::string_view m_text;
    std::size_t m_pos = 0;
    char* m_out; // next free byte of the decoded-string buffer
    JsonError m_error;
    bool m_key_table_in_use = false;
    std::size_t m_key_table_used = 0; // occupied slots, including those of closed objects
};

JsonParseResult JsonDocument::Parser::run() {
    bool complete = false;
    skip_whitespace();
    while (!complete) {
        bool opened = false;
        if (!begin_value(new_value_slot(), opened)) {
            return JsonParseResult(m_error);
        }
        if (opened) {
            continue; // the container's first element or member is next
        }
        // A value is complete: go on in its container, closing containers as they end.
        for (;;) {
            if (m_doc.m_frames.empty()) {
                complete = true;
                break;
            }
            const bool in_object = m_doc.m_frames.back().is_object;
            skip_whitespace();
            if (at_end()) {
                fail_syntax(in_object ? "expected ',' or '}'" : "expected ',' or ']'");
                return JsonParseResult(m_error);
            }
            if (peek() == ',') {
                ++m_pos;
                skip_whitespace();
                if (in_object && !member_name()) {
                    return JsonParseResult(m_error);
                }
                break; // the next element or member value
            }
            if (peek() != (in_object ? '}' : ']')) {
                fail_syntax(in_object ? "expected ',' or '}'" : "expected ',' or ']'");
                return JsonParseResult(m_error);
            }
            ++m_pos;
            close_container();
        }
    }
    skip_whitespace();
    if (!at_end()) {
        fail_syntax("unexpected data after the value");
        return JsonParseResult(m_error);
    }

    // The arena no longer moves: turn child indices into pointers.
    std::vector<JsonValue>& nodes = m_doc.m_nodes;
    nodes.push_back(m_root_value);
    for (JsonValue& node : nodes) {
        if (node.m_kind == JsonKind::array || node.m_kind == JsonKind::object) {
            const std::size_t first = node.m_payload.first_child;
            node.m_payload.children = nodes.data() + first;
        }
    }
    return JsonParseResult(&nodes.back());
}

JsonValue& JsonDocument::Parser::new_value_slot() {
    if (m_doc.m_frames.empty()) {
        return m_root_value;
    }
    const Frame& frame = m_doc.m_frames.back();
    JsonValue& value = m_doc.m_pending.emplace_back(JsonValue{});
    if (frame.is_object) {
        value.m_key = frame.key;
        value.m_key_size = frame.key_size;
    }
    return value;
}

bool JsonDocument::Parser::begin_value(JsonValue& value, bool& opened) {
    if (at_end()) {
        return fail_syntax("expected a value");
    }
    switch (peek()) {
    case '{':
        return open_container(value, opened, true);
    case '[':
        return open_container(value, opened, false);
    case '"': {
        const char* text = nullptr;
        if (!string(text, value.m_size)) {
            return false;
        }
        value.m_kind = JsonKind::string;
        value.m_payload.text = text;
        return true;
    }
    case 't':
        value.m_kind = JsonKind::boolean;
        value.m_payload.boolean = true;
        return literal("true");
    case 'f':
        value.m_kind = JsonKind::boolean;
        value.m_payload.boolean = false;
        return literal("false");
    case 'n':
        value.m_kind = JsonKind::null;
        return literal("null");
    default:
        if (peek() == '-' || is_digit(peek())) {
            return number(value);
        }
        return fail_syntax("expected a value");
    }
}

bool JsonDocument::Parser::open_container(JsonValue& value, bool& opened, bool is_object) {
    if (m_doc.m_frames.size() >= kMaxJsonDepth) {
        return fail(JsonErrorKind::too_deep, m_pos, "arrays and objects nested too deeply");
    }
    ++m_pos;
    Frame frame;
    frame.is_object = is_object;
    frame.node = m_doc.m_frames.empty()
                     ? kRootNode
                     : static_cast<std::uint32_t>(&value - m_doc.m_pending.data());
    frame.first_pending = static_cast<std::uint32_t>(m_doc.m_pending.size());
    m_doc.m_frames.push_back(frame);
    skip_whitespace();
    if (!at_end() && peek() == (is_object ? '}' : ']')) {
        ++m_pos;
        close_container();
        return true;
    }
    opened = true;
    return !is_object || member_name();
}

bool JsonDocument::Parser::member_name() {
    if (at_end() || peek() != '"') {
        return fail_syntax("expected a member name");
    }
    const std::size_t key_offset = m_pos;
    const char* key = nullptr;
    std::uint32_t key_size = 0;
    if (!string(key, key_size)) {
        return false;
    }
    Frame& frame = m_doc.m_frames.back();
    if (!check_new_key(frame, {key, key_size}, key_offset)) {
        return false;
    }
    frame.key = key;
    frame.key_size = key_size;
    skip_whitespace();
    if (at_end() || peek() != ':') {
        return fail_syntax("expected ':' after a member name");
    }
    ++m_pos;
    skip_whitespace();
    return true;
}

bool JsonDocument::Parser::check_new_key(Frame& frame, std::string_view key,
                                         std::size_t key_offset) {
    const std::vector<JsonValue>& pending = m_doc.m_pending;
    const std::size_t members = pending.size() - frame.first_pending;
    bool duplicate = false;
    if (frame.key_table_owner == 0 && members < kLinearKeyCheckLimit) {
        for (std::size_t i = frame.first_pending; i < pending.size() && !duplicate; ++i) {
            duplicate = std::string_view(pending[i].m_key, pending[i].m_key_size) == key;
        }
    } else {
        duplicate = is_duplicate_in_large_object(frame, key);
    }
    if (duplicate) {
        return fail(JsonErrorKind::duplicate_key, key_offset,
                    "member name used twice in one object");
    }
    return true;
}

// Looks `key` up among the members of `frame` and inserts it (as the member about to be
// attached) if it is new. The first call for an object moves its existing names into the set.
bool JsonDocument::Parser::is_duplicate_in_large_object(Frame& frame, std::string_view key) {
    std::vector<KeySlot>& table = m_doc.m_key_table;
    std::vector<bool>& open = m_doc.m_key_table_owner_open;
    if (!m_key_table_in_use) {
        // assign() keeps the capacity, so only this many slots are cleared per parse.
        table.assign(kInitialKeyTableSlots, KeySlot{});
        open.assign(1, false); // owner 0 means "free slot"
        m_key_table_in_use = true;
    }
    const std::vector<JsonValue>& pending = m_doc.m_pending;
    if (frame.key_table_owner == 0) {
        frame.key_table_owner = static_cast<std::uint32_t>(open.size());
        open.push_back(true);
        for (std::size_t i = frame.first_pending; i < pending.size(); ++i) {
            const std::string_view name(pending[i].m_key, pending[i].m_key_size);
            if ((m_key_table_used + 1) * 2 > table.size()) {
                grow_key_table();
            }
            insert_key_slot(table,
                            {frame.key_table_owner, hash_key(name), static_cast<std::uint32_t>(i)});
            ++m_key_table_used;
        }
    }
    if ((m_key_table_used + 1) * 2 > table.size()) {
        grow_key_table();
    }
    const std::uint32_t hash = hash_key(key);
    const std::size_t mask = table.size() - 1;
    for (std::size_t i = hash & mask;; i = (i + 1) & mask) {
        const KeySlot& slot = table[i];
        if (slot.owner == 0) {
            break;
        }
        if (slot.owner == frame.key_table_owner && slot.hash == hash) {
            const JsonValue& member = pending[slot.pending_index];
            if (std::string_view(member.m_key, member.m_key_size) == key) {
                return true;
            }
        }
    }
    insert_key_slot(table,
                    {frame.key_table_owner, hash, static_cast<std::uint32_t>(pending.size())});
    ++m_key_table_used;
    return false;
}

// Rehashes into a table at least four times the names of the objects still open; the names of
// closed objects are dropped.
void JsonDocument::Parser::grow_key_table() {
    const std::vector<bool>& open = m_doc.m_key_table_owner_open;
    std::size_t live = 0;
    for (const KeySlot& slot : m_doc.m_key_table) {
        live += slot.owner != 0 && open[slot.owner] ? 1 : 0;
    }
    std::size_t slots = kInitialKeyTableSlots;
    while (slots < 4 * (live + 1)) {
        slots *= 2;
    }
    std::vector<KeySlot>& spare = m_doc.m_spare_key_table;
    spare.assign(slots, KeySlot{});
    for (const KeySlot& slot : m_doc.m_key_table) {
        if (slot.owner != 0 && open[slot.owner]) {
            insert_key_slot(spare, slot);
        }
    }
    m_doc.m_key_table.swap(spare);
    m_key_table_used = live;
}

void JsonDocument::Parser::insert_key_slot(std::vector<KeySlot>& table, KeySlot slot) {
    const std::size_t mask = table.size() - 1;
    std::size_t i = slot.hash & mask;
    while (table[i].owner != 0) {
        i = (i + 1) & mask;
    }
    table[i] = slot;
}

// Moves the innermost container's children into the arena, contiguous, and completes the
// container's own node.
void JsonDocument::Parser::close_container() {
    const Frame frame = m_doc.m_frames.back();
    m_doc.m_frames.pop_back();
    std::vector<JsonValue>& pending = m_doc.m_pending;
    const auto first = pending.begin() + frame.first_pending;
    JsonValue& container = container_node(frame);
    container.m_kind = frame.is_object ? JsonKind::object : JsonKind::array;
    container.m_size = static_cast<std::uint32_t>(pending.size() - frame.first_pending);
    container.m_payload.first_child = m_doc.m_nodes.size();
    m_doc.m_nodes.insert(m_doc.m_nodes.end(), first, pending.end());
    pending.erase(first, pending.end());
    if (frame.key_table_owner != 0) {
        m_doc.m_key_table_owner_open[frame.key_table_owner] = false;
    }
}

// A string at m_pos (on its opening quote), decoded into the document's text buffer.
bool JsonDocument::Parser::string(const char*& begin, std::uint32_t& size) {
    begin = m_out;
    ++m_pos;
    for (;;) {
        const std::size_t run_start = m_pos;
        m_pos = end_of_plain_run(m_text, m_pos);
        std::memcpy(m_out, m_text.data() + run_start, m_pos - run_start);
        m_out += m_pos - run_start;
        if (at_end()) {
            return fail_syntax("unterminated string");
        }
        const auto byte = static_cast<unsigned char>(peek());
        if (byte == '"') {
            ++m_pos;
            size = static_cast<std::uint32_t>(m_out - begin);
            return true;
        }
        if (byte == '\\') {
            if (!escape()) {
                return false;
            }
        } else if (byte < 0x20) {
            return fail(JsonErrorKind::control_character, m_pos,
                        "raw control character in a string");
        } else {
            const std::size_t length = util::utf8_sequence_length(m_text, m_pos);
            if (length == 0) {
                return fail(JsonErrorKind::invalid_utf8, m_pos, "bytes that are not UTF-8");
            }
            std::memcpy(m_out, m_text.data() + m_pos, length);
            m_out += length;
            m_pos += length;
        }
    }
}

// An escape at m_pos (on its backslash). Decoded bytes are never more than the escape's.
bool JsonDocument::Parser::escape() {
    const std::size_t start = m_pos;
    ++m_pos;
    if (at_end()) {
        return fail_syntax("unterminated string");
    }
    const char kind = peek();
    ++m_pos;
    switch (kind) {
    case '"':
    case '\\':
    case '/':
        *m_out++ = kind;
        return true;
    case 'b':
        *m_out++ = '\b';
        return true;
    case 'f':
        *m_out++ = '\f';
        return true;
    case 'n':
        *m_out++ = '\n';
        return true;
    case 'r':
        *m_out++ = '\r';
        return true;
    case 't':
        *m_out++ = '\t';
        return true;
    case 'u':
        break;
    default:
        --m_pos;
        return fail_syntax("unknown escape");
    }
    std::uint32_t unit = 0;
    if (!hex_unit(m_pos, unit)) {
        return false;
    }
    m_pos += 4;
    if (is_low_surrogate(unit)) {
        return fail(JsonErrorKind::lone_surrogate, start,
                    "low surrogate escape without a high one");
    }
    if (is_high_surrogate(unit)) {
        const bool escape_follows =
            m_text.size() - m_pos >= 2 && m_text[m_pos] == '\\' && m_text[m_pos + 1] == 'u';
        std::uint32_t low = 0;
        if (escape_follows && !hex_unit(m_pos + 2, low)) {
            return false;
        }
        if (!escape_follows || !is_low_surrogate(low)) {
            return fail(JsonErrorKind::lone_surrogate, start,
                        "high surrogate escape not followed by a low one");
        }
        m_pos += 6;
        unit = 0x10000 + ((unit - 0xD800) << 10) + (low - 0xDC00);
    }
    m_out = append_utf8(m_out, unit);
    return true;
}

// The four hex digits of a \u escape starting at `at`.
bool JsonDocument::Parser::hex_unit(std::size_t at, std::uint32_t& unit) {
    unit = 0;
    for (std::size_t i = at; i < at + 4; ++i) {
        if (i >= m_text.size()) {
            return fail(JsonErrorKind::syntax, m_text.size(), "unterminated \\u escape");
        }
        const int digit = hex_digit_value(m_text[i]);
        if (digit < 0) {
            return fail(JsonErrorKind::syntax, i, "expected a hex digit in a \\u escape");
        }
        unit = unit * 16 + static_cast<std::uint32_t>(digit);
    }
    return true;
}

// RFC 8259's number grammar first, then the record rules: integers within +-(2^53-1).
bool JsonDocument::Parser::number(JsonValue& value) {
    const std::size_t start = m_pos;
    const bool negative = peek() == '-';
    if (negative) {
        ++m_pos;
    }
    if (at_end() || !is_digit(peek())) {
        return fail_syntax("expected a digit");
    }
    std::uint64_t magnitude = 0;
    bool out_of_range = false;
    if (peek() == '0') {
        ++m_pos;
        if (!at_end() && is_digit(peek())) {
            return fail_syntax("leading zero in a number");
        }
    } else {
        for (; !at_end() && is_digit(peek()); ++m_pos) {
            if (!out_of_range) {
                magnitude = magnitude * 10 + static_cast<std::uint64_t>(peek() - '0');
                out_of_range = magnitude > static_cast<std::uint64_t>(kMaxExactInteger);
            }
        }
    }
    std::size_t non_integer_at = 0;
    bool non_integer = false;
    if (!at_end() && peek() == '.') {
        non_integer = true;
        non_integer_at = m_pos;
        ++m_pos;
        if (at_end() || !is_digit(peek())) {
            return fail_syntax("expected a digit after '.'");
        }
        while (!at_end() && is_digit(peek())) {
            ++m_pos;
        }
    }
    if (!at_end() && (peek() == 'e' || peek() == 'E')) {
        if (!non_integer) {
            non_integer = true;
            non_integer_at = m_pos;
        }
        ++m_pos;
        if (!at_end() && (peek() == '+' || peek() == '-')) {
            ++m_pos;
        }
        if (at_end() || !is_digit(peek())) {
            return fail_syntax("expected a digit in the exponent");
        }
        while (!at_end() && is_digit(peek())) {
            ++m_pos;
        }
    }
    if (non_integer) {
        return fail(JsonErrorKind::not_integer, non_integer_at,
                    "number with a fraction or exponent");
    }
    if (out_of_range) {
        return fail(JsonErrorKind::integer_out_of_range, start, "integer outside +-(2^53-1)");
    }
    const auto signed_magnitude = static_cast<std::int64_t>(magnitude);
    value.m_kind = JsonKind::integer;
    value.m_payload.integer = negative ? -signed_magnitude : signed_magnitude;
    return true;
}

bool JsonDocument::Parser::literal(std::string_view word) {
    for (const char expected : word) {
        if (at_end() || peek() != expected) {
            return fail_syntax("invalid literal");
        }
        ++m_pos;
    }
    return true;
}

// --- JsonDocument ------------------------------------------------------------------------------

JsonDocument::JsonDocument() {
    m_frames.reserve(kMaxJsonDepth);
}

JsonParseResult JsonDocument::parse(std::string_view text) {
    m_root = nullptr;
    m_nodes.clear();
    m_pending.clear();
    m_frames.clear();
    if (text.size() > kMaxJsonInputBytes) {
        return JsonParseResult(JsonError{JsonErrorKind::too_large, kMaxJsonInputBytes,
                                         "text larger than the 16 MiB limit"});
    }
    // Decoded strings never outgrow the text, so the buffer is sized once and never moves.
    if (m_text_capacity < text.size()) {
        m_text_capacity = std::max(text.size(), std::min(2 * m_text_capacity, kMaxJsonInputBytes));
        m_text = std::make_unique_for_overwrite<char[]>(m_text_capacity);
    }
    JsonParseResult result = Parser(*this, text).run();
    if (result) {
        m_root = &result.root();
    }
    return result;
}

const JsonValue& JsonDocument::root() const {
    if (m_root == nullptr) {
        throw std::logic_error("JsonDocument::root(): the last parse did not succeed");
    }
    return *m_root;
}

// --- Canonical serialisation -------------------------------------------------------------------

// Recursion is bounded: every JsonValue comes from a parse, so it nests at most kMaxJsonDepth.
void write_value(JsonWriter& writer, const JsonValue& value) {
    switch (value.kind()) {
    case JsonKind::null:
        writer.null();
        break;
    case JsonKind::boolean:
        writer.boolean(value.as_bool());
        break;
    case JsonKind::integer:
        writer.integer(value.as_integer());
        break;
    case JsonKind::string:
        writer.text(value.as_string());
        break;
    case JsonKind::array:
        writer.begin_array();
        for (std::size_t i = 0; i < value.size(); ++i) {
            write_value(writer, value.at(i));
        }
        writer.end_array();
        break;
    case JsonKind::object:
        writer.begin_object();
        for (std::size_t i = 0; i < value.size(); ++i) {
            writer.key(value.key(i));
            write_value(writer, value.value(i));
        }
        writer.end_object();
        break;
    }
}

std::string serialize_canonical(const JsonValue& value) {
    JsonWriter writer;
    return std::string(serialize_canonical(value, writer));
}

std::string_view serialize_canonical(const JsonValue& value, JsonWriter& scratch) {
    scratch.clear();
    write_value(scratch, value);
    return scratch.view();
}

} // namespace asocat::record
