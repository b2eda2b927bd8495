#include "evidence/record_scanner.hpp"

#include <cstring>

#include "evidence/record_schema.hpp"
#include "evidence/record_view.hpp"
#include "record/json_string_scan.hpp"
#include "record/json_writer.hpp"
#include "record/record_draft.hpp"
#include "util/utf8.hpp"

namespace asocat::evidence {
namespace {

// Where the values of the chain fields sit in the line, quotes included for strings.
struct Spans {
    std::string_view format, log, seq, prev, type, session;
};

// Walks one line against one layout. Every step returns false at the first byte that is not
// what JsonWriter would have written there; recursion follows the layout, at most a few deep.
class CanonicalWalk {
public:
    CanonicalWalk(std::string_view line, const Shape& asocat) : m_line(line), m_asocat(&asocat) {}

    bool record(const Shape& shape) {
        return !m_line.empty() && m_line[0] == '{' && object(shape) && m_pos == m_line.size();
    }
    const Spans& spans() const { return m_spans; }

private:
    bool at(char c) const { return m_pos < m_line.size() && m_line[m_pos] == c; }

    bool object(const Shape& shape) {
        ++m_pos; // '{'
        const bool capturing = &shape == m_asocat;
        std::size_t next = 0;
        for (bool first = true;; first = false) {
            if (at('}')) {
                ++m_pos;
                for (; next < shape.fields.size(); ++next) {
                    if (!shape.fields[next].optional) {
                        return false;
                    }
                }
                return true;
            }
            if (!first) {
                if (!at(',')) {
                    return false;
                }
                ++m_pos;
            }
            // The name, byte for byte: layout names need no escaping, so their canonical
            // form is themselves. An absent optional member is skipped over.
            for (;; ++next) {
                if (next == shape.fields.size()) {
                    return false;
                }
                if (name_is(shape.fields[next].name)) {
                    break;
                }
                if (!shape.fields[next].optional) {
                    return false;
                }
            }
            const Field& field = shape.fields[next++];
            m_pos += field.name.size() + 3; // "name":
            const std::size_t begin = m_pos;
            if (!value(field.kinds, field.shape, field.element_kinds, field.element_shape)) {
                return false;
            }
            if (capturing) {
                capture(field.name, m_line.substr(begin, m_pos - begin));
            }
        }
    }

    bool name_is(std::string_view name) const {
        if (m_line.size() - m_pos < name.size() + 3 || m_line[m_pos] != '"' ||
            m_line[m_pos + 1 + name.size()] != '"' || m_line[m_pos + 2 + name.size()] != ':') {
            return false;
        }
        // Names are a few bytes: a loop the compiler inlines beats a call to memcmp.
        const char* here = m_line.data() + m_pos + 1;
        for (std::size_t i = 0; i < name.size(); ++i) {
            if (here[i] != name[i]) {
                return false;
            }
        }
        return true;
    }

    void capture(std::string_view name, std::string_view value) {
        if (name == "format") {
            m_spans.format = value;
        } else if (name == "log") {
            m_spans.log = value;
        } else if (name == "seq") {
            m_spans.seq = value;
        } else if (name == "prev") {
            m_spans.prev = value;
        } else if (name == "type") {
            m_spans.type = value;
        } else if (name == "session") {
            m_spans.session = value;
        }
    }

    bool value(std::uint8_t kinds, const Shape* shape, std::uint8_t element_kinds,
               const Shape* element_shape) {
        if (m_pos >= m_line.size()) {
            return false;
        }
        switch (m_line[m_pos]) {
        case '{':
            // Objects without a layout are left to the full path.
            return (kinds & kObject) != 0 && shape != nullptr && object(*shape);
        case '[':
            return (kinds & kArray) != 0 && array(element_kinds, element_shape);
        case '"':
            return (kinds & kString) != 0 && string();
        case 't':
            return (kinds & kBool) != 0 && literal("true");
        case 'f':
            return (kinds & kBool) != 0 && literal("false");
        case 'n':
            return (kinds & kNull) != 0 && literal("null");
        default:
            return (kinds & kInt) != 0 && integer();
        }
    }

    bool array(std::uint8_t kinds, const Shape* shape) {
        ++m_pos; // '['
        if (at(']')) {
            ++m_pos;
            return true;
        }
        for (;;) {
            if (!value(kinds, shape, 0, nullptr)) {
                return false;
            }
            if (at(']')) {
                ++m_pos;
                return true;
            }
            if (!at(',')) {
                return false;
            }
            ++m_pos;
        }
    }

    // Content as JsonWriter escapes it: only '"', '\\' and controls, controls by their short
    // escape where JSON has one and as lower-case \u00xx otherwise; everything else raw UTF-8.
    bool string() {
        ++m_pos; // '"'
        for (;;) {
            m_pos = record::end_of_plain_run(m_line, m_pos);
            if (m_pos >= m_line.size()) {
                return false;
            }
            const auto byte = static_cast<unsigned char>(m_line[m_pos]);
            if (byte == '"') {
                ++m_pos;
                return true;
            }
            if (byte == '\\') {
                if (!escape()) {
                    return false;
                }
            } else if (byte < 0x20) {
                return false;
            } else {
                const std::size_t length = util::utf8_sequence_length(m_line, m_pos);
                if (length == 0) {
                    return false;
                }
                m_pos += length;
            }
        }
    }

    bool escape() {
        if (m_line.size() - m_pos < 2) {
            return false;
        }
        switch (m_line[m_pos + 1]) {
        case '"':
        case '\\':
        case 'b':
        case 'f':
        case 'n':
        case 'r':
        case 't':
            m_pos += 2;
            return true;
        case 'u':
            break;
        default:
            return false;
        }
        if (m_line.size() - m_pos < 6 || m_line.compare(m_pos + 2, 2, "00") != 0) {
            return false;
        }
        const char high = m_line[m_pos + 4];
        const char low = m_line[m_pos + 5];
        const bool low_hex = (low >= '0' && low <= '9') || (low >= 'a' && low <= 'f');
        if ((high != '0' && high != '1') || !low_hex) {
            return false;
        }
        const int unit = (high - '0') * 16 + (low <= '9' ? low - '0' : low - 'a' + 10);
        // These five have short escapes, which are the canonical ones.
        if (unit == '\b' || unit == '\t' || unit == '\n' || unit == '\f' || unit == '\r') {
            return false;
        }
        m_pos += 6;
        return true;
    }

    // -?(0|[1-9][0-9]*) within +-(2^53-1), and never "-0".
    bool integer() {
        const std::size_t start = m_pos;
        if (at('-')) {
            ++m_pos;
        }
        const std::size_t digits = m_pos;
        std::uint64_t magnitude = 0;
        while (m_pos < m_line.size() && m_line[m_pos] >= '0' && m_line[m_pos] <= '9') {
            magnitude = magnitude * 10 + static_cast<std::uint64_t>(m_line[m_pos] - '0');
            if (++m_pos - digits > 16) {
                return false; // 2^53-1 has 16 digits
            }
        }
        if (m_pos == digits || (m_line[digits] == '0' && (m_pos - digits > 1 || digits > start))) {
            return false; // no digits, a leading zero, or "-0"
        }
        return magnitude <= static_cast<std::uint64_t>(record::kMaxExactInteger);
    }

    bool literal(std::string_view word) {
        if (m_line.compare(m_pos, word.size(), word) != 0) {
            return false;
        }
        m_pos += word.size();
        return true;
    }

    std::string_view m_line;
    std::size_t m_pos = 0;
    const Shape* m_asocat;
    Spans m_spans;
};

// The content of a string span ("...") if it holds no escape, else nullopt.
std::optional<std::string_view> plain_text(std::string_view span) {
    if (span.size() < 2 || span.find('\\') != std::string_view::npos) {
        return std::nullopt;
    }
    return span.substr(1, span.size() - 2);
}

// asocat.type, read ahead of the walk because it picks the layout. Only a guess: the walk
// confirms it. asocat is the last member of every record and starts with format, log, seq,
// prev and type; a quote cannot appear unescaped inside a string, so the key is the real one.
std::optional<std::string_view> guess_type(std::string_view line) {
    static constexpr std::string_view kAsocat = "\"asocat\":{\"format\":";
    static constexpr std::string_view kType = ",\"type\":\"";
    const auto asocat = line.rfind(kAsocat);
    if (asocat == std::string_view::npos) {
        return std::nullopt;
    }
    const auto type = line.find(kType, asocat + kAsocat.size());
    if (type == std::string_view::npos) {
        return std::nullopt;
    }
    const auto begin = type + kType.size();
    const auto end = line.find('"', begin);
    if (end == std::string_view::npos) {
        return std::nullopt;
    }
    return line.substr(begin, end - begin);
}

} // namespace

std::optional<ChainFields> scan_canonical_record(std::string_view line) {
    const auto guessed = guess_type(line);
    const Shape* shape = guessed ? record_shape(*guessed) : nullptr;
    if (shape == nullptr || shape->fields.empty() || shape->fields.back().name != "asocat" ||
        shape->fields.back().shape == nullptr) {
        return std::nullopt;
    }
    CanonicalWalk walk(line, *shape->fields.back().shape);
    if (!walk.record(*shape)) {
        return std::nullopt;
    }
    const Spans& spans = walk.spans();
    const auto log = plain_text(spans.log);
    const auto type = plain_text(spans.type);
    const auto prev = plain_text(spans.prev);
    if (spans.format != std::to_string(record::kRecordFormat) || !log || !type || !prev ||
        *type != *guessed || spans.seq.empty() || spans.seq[0] == '-') {
        return std::nullopt;
    }
    ChainFields fields;
    fields.log = *log;
    fields.type = *type;
    for (const char digit : spans.seq) {
        fields.seq = fields.seq * 10 + static_cast<std::uint64_t>(digit - '0');
    }
    const auto digest = decode_digest(*prev);
    if (!digest) {
        return std::nullopt;
    }
    fields.prev = *digest;
    if (!spans.session.empty()) {
        const auto session = plain_text(spans.session);
        if (!session) {
            return std::nullopt;
        }
        fields.session = *session;
    }
    return fields;
}

} // namespace asocat::evidence
