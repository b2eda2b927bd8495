#include "record/json_writer.hpp"

#include <charconv>
#include <cstdint>
#include <cstring>
#include <stdexcept>

#include "util/utf8.hpp"

namespace asocat::record {

void JsonWriter::before_value() {
    if (m_after_key) {
        m_after_key = false;
        return;
    }
    if (!m_first.empty()) {
        if (!m_first.back()) {
            m_out += ',';
        }
        m_first.back() = 0;
    } else if (!m_out.empty()) {
        throw std::logic_error("JsonWriter: more than one top-level value");
    }
}

JsonWriter& JsonWriter::begin_object() {
    before_value();
    m_out += '{';
    m_first.push_back(1);
    return *this;
}

JsonWriter& JsonWriter::end_object() {
    if (m_first.empty() || m_after_key) {
        throw std::logic_error("JsonWriter: unbalanced end_object");
    }
    m_first.pop_back();
    m_out += '}';
    return *this;
}

JsonWriter& JsonWriter::begin_array() {
    before_value();
    m_out += '[';
    m_first.push_back(1);
    return *this;
}

JsonWriter& JsonWriter::end_array() {
    if (m_first.empty() || m_after_key) {
        throw std::logic_error("JsonWriter: unbalanced end_array");
    }
    m_first.pop_back();
    m_out += ']';
    return *this;
}

namespace {

// Checked before anything is emitted, so a refused string leaves the document untouched.
void require_utf8(std::string_view text) {
    if (!util::is_valid_utf8(text)) {
        throw std::logic_error("JsonWriter: text is not valid UTF-8");
    }
}

} // namespace

JsonWriter& JsonWriter::key(std::string_view name) {
    require_utf8(name);
    return key_prevalidated(name);
}

JsonWriter& JsonWriter::key_prevalidated(std::string_view name) {
    if (m_after_key) {
        throw std::logic_error("JsonWriter: key after key");
    }
    before_value();
    m_out += '"';
    append_escaped(name);
    m_out += "\":";
    m_after_key = true;
    return *this;
}

void JsonWriter::append_escaped(std::string_view utf8) {
    static constexpr char hex[] = "0123456789abcdef";
    // Copy runs of bytes that need no escape in one append; escape the rest one by one. Eight
    // bytes at a time are checked for '"', '\\' or a control character (SWAR).
    constexpr std::uint64_t ones = 0x0101010101010101ULL;
    constexpr std::uint64_t highs = 0x8080808080808080ULL;
    const auto has_zero = [](std::uint64_t v) { return (v - ones) & ~v & highs; };
    std::size_t run = 0;
    for (std::size_t i = 0; i < utf8.size(); ++i) {
        while (i + 8 <= utf8.size()) {
            std::uint64_t v;
            std::memcpy(&v, utf8.data() + i, sizeof v);
            const std::uint64_t special = ((v - ones * 0x20) & ~v & highs) |
                                          has_zero(v ^ (ones * '"')) | has_zero(v ^ (ones * '\\'));
            if (special != 0) {
                break;
            }
            i += 8;
        }
        if (i >= utf8.size()) {
            break;
        }
        const auto u = static_cast<unsigned char>(utf8[i]);
        if (u >= 0x20 && u != '"' && u != '\\') {
            continue;
        }
        m_out.append(utf8.data() + run, i - run);
        run = i + 1;
        switch (u) {
        case '"':
            m_out += "\\\"";
            break;
        case '\\':
            m_out += "\\\\";
            break;
        case '\n':
            m_out += "\\n";
            break;
        case '\r':
            m_out += "\\r";
            break;
        case '\t':
            m_out += "\\t";
            break;
        case '\b':
            m_out += "\\b";
            break;
        case '\f':
            m_out += "\\f";
            break;
        default: {
            const char escape[6] = {'\\', 'u', '0', '0', hex[u >> 4], hex[u & 0x0F]};
            m_out.append(escape, sizeof escape);
        }
        }
    }
    m_out.append(utf8.data() + run, utf8.size() - run);
}

JsonWriter& JsonWriter::text(std::string_view utf8) {
    require_utf8(utf8);
    before_value();
    m_out += '"';
    append_escaped(utf8);
    m_out += '"';
    return *this;
}

JsonWriter& JsonWriter::text_prevalidated(std::string_view utf8) {
    before_value();
    m_out += '"';
    append_escaped(utf8);
    m_out += '"';
    return *this;
}

bool JsonWriter::text_lossy(std::string_view bytes) {
    if (util::is_valid_utf8(bytes)) {
        text(bytes);
        return false;
    }
    text(util::to_utf8_lossy(bytes));
    return true;
}

JsonWriter& JsonWriter::integer(std::int64_t value) {
    if (value > kMaxExactInteger || value < -kMaxExactInteger) {
        throw std::out_of_range("JsonWriter: integer outside the I-JSON exact range");
    }
    before_value();
    char digits[24];
    const auto end = std::to_chars(digits, digits + sizeof digits, value).ptr;
    m_out.append(digits, static_cast<std::size_t>(end - digits));
    return *this;
}

JsonWriter& JsonWriter::boolean(bool value) {
    before_value();
    m_out += value ? "true" : "false";
    return *this;
}

JsonWriter& JsonWriter::null() {
    before_value();
    m_out += "null";
    return *this;
}

std::string_view JsonWriter::view() const {
    if (!m_first.empty() || m_after_key || m_out.empty()) {
        throw std::logic_error("JsonWriter: document not complete");
    }
    return m_out;
}

void JsonWriter::clear() {
    m_out.clear();
    m_first.clear();
    m_after_key = false;
}

std::string JsonWriter::take_line() {
    if (!m_first.empty() || m_after_key || m_out.empty()) {
        throw std::logic_error("JsonWriter: document not complete");
    }
    std::string line = std::move(m_out);
    line += '\n';
    m_out.clear();
    return line;
}

} // namespace asocat::record
