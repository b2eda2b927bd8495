#include "record/json_writer.hpp"

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
        m_first.back() = false;
    } else if (!m_out.empty()) {
        throw std::logic_error("JsonWriter: more than one top-level value");
    }
}

JsonWriter& JsonWriter::begin_object() {
    before_value();
    m_out += '{';
    m_first.push_back(true);
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
    m_first.push_back(true);
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
    if (m_after_key) {
        throw std::logic_error("JsonWriter: key after key");
    }
    require_utf8(name);
    before_value();
    m_out += '"';
    append_escaped(name);
    m_out += "\":";
    m_after_key = true;
    return *this;
}

void JsonWriter::append_escaped(std::string_view utf8) {
    static constexpr char hex[] = "0123456789abcdef";
    for (const char c : utf8) {
        const auto u = static_cast<unsigned char>(c);
        switch (c) {
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
        default:
            if (u < 0x20) {
                m_out += "\\u00";
                m_out += hex[u >> 4];
                m_out += hex[u & 0x0F];
            } else {
                m_out += c;
            }
        }
    }
}

JsonWriter& JsonWriter::text(std::string_view utf8) {
    require_utf8(utf8);
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
    m_out += std::to_string(value);
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
