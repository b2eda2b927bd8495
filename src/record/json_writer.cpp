#include "record/json_writer.hpp"

#include <algorithm>
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
            put(',');
        }
        m_first.back() = 0;
    } else if (m_size != m_line_start) {
        throw std::logic_error("JsonWriter: more than one top-level value");
    }
}

JsonWriter& JsonWriter::begin_object() {
    before_value();
    put('{');
    m_first.push_back(1);
    return *this;
}

JsonWriter& JsonWriter::end_object() {
    if (m_first.empty() || m_after_key) {
        throw std::logic_error("JsonWriter: unbalanced end_object");
    }
    m_first.pop_back();
    put('}');
    return *this;
}

JsonWriter& JsonWriter::begin_array() {
    before_value();
    put('[');
    m_first.push_back(1);
    return *this;
}

JsonWriter& JsonWriter::end_array() {
    if (m_first.empty() || m_after_key) {
        throw std::logic_error("JsonWriter: unbalanced end_array");
    }
    m_first.pop_back();
    put(']');
    return *this;
}

JsonWriter::Mark JsonWriter::mark() const {
    return {m_size, m_after_key, m_first.empty() ? std::uint8_t{0} : m_first.back()};
}

void JsonWriter::rewind(const Mark& mark) {
    m_size = mark.size;
    m_after_key = mark.after_key;
    if (!m_first.empty()) {
        m_first.back() = mark.first;
    }
}

bool JsonWriter::try_quoted_value(std::string_view utf8) {
    const Mark before = mark();
    before_value();
    if (!append_quoted(utf8)) {
        rewind(before); // a refused string leaves the document as it was
        return false;
    }
    return true;
}

JsonWriter& JsonWriter::key(std::string_view name) {
    if (m_after_key) {
        throw std::logic_error("JsonWriter: key after key");
    }
    if (!try_quoted_value(name)) {
        throw std::logic_error("JsonWriter: key is not valid UTF-8");
    }
    put(':');
    m_after_key = true;
    return *this;
}

void JsonWriter::grow(std::size_t n) {
    m_out.resize(std::max(m_out.size() * 2, m_size + n + 256));
}

void JsonWriter::put(std::string_view text) {
    std::memcpy(room(text.size()), text.data(), text.size());
    m_size += text.size();
}

bool JsonWriter::append_quoted(std::string_view utf8) {
    static constexpr char hex[] = "0123456789abcdef";
    constexpr std::uint64_t ones = 0x0101010101010101ULL;
    constexpr std::uint64_t highs = 0x8080808080808080ULL;
    const auto has_zero = [](std::uint64_t v) { return (v - ones) & ~v & highs; };
    // Worst case: every byte a six-byte \u00XX escape, plus the quotes.
    char* out = room(utf8.size() * 6 + 2);
    const char* in = utf8.data();
    const char* const end = in + utf8.size();
    *out++ = '"';
    while (in < end) {
        // Eight bytes at a time while none is '"', '\\', a control character or non-ASCII
        // (SWAR); UTF-8 is validated here, in the same pass, not before it.
        if (end - in >= 8) {
            std::uint64_t v;
            std::memcpy(&v, in, sizeof v);
            const std::uint64_t special = (v & highs) | ((v - ones * 0x20) & ~v & highs) |
                                          has_zero(v ^ (ones * '"')) | has_zero(v ^ (ones * '\\'));
            if (special == 0) {
                std::memcpy(out, in, 8);
                out += 8;
                in += 8;
                continue;
            }
        }
        if (static_cast<unsigned char>(*in) >= 0x80) {
            const std::size_t length =
                util::utf8_sequence_length(utf8, static_cast<std::size_t>(in - utf8.data()));
            if (length == 0) {
                return false;
            }
            std::memcpy(out, in, length);
            out += length;
            in += length;
            continue;
        }
        const auto u = static_cast<unsigned char>(*in++);
        if (u >= 0x20 && u != '"' && u != '\\') {
            *out++ = static_cast<char>(u);
            continue;
        }
        *out++ = '\\';
        switch (u) {
        case '"':
            *out++ = '"';
            break;
        case '\\':
            *out++ = '\\';
            break;
        case '\n':
            *out++ = 'n';
            break;
        case '\r':
            *out++ = 'r';
            break;
        case '\t':
            *out++ = 't';
            break;
        case '\b':
            *out++ = 'b';
            break;
        case '\f':
            *out++ = 'f';
            break;
        default:
            *out++ = 'u';
            *out++ = '0';
            *out++ = '0';
            *out++ = hex[u >> 4];
            *out++ = hex[u & 0x0F];
        }
    }
    *out++ = '"';
    m_size = static_cast<std::size_t>(out - m_out.data());
    return true;
}

JsonWriter& JsonWriter::text(std::string_view utf8) {
    if (!try_quoted_value(utf8)) {
        throw std::logic_error("JsonWriter: text is not valid UTF-8");
    }
    return *this;
}

bool JsonWriter::text_lossy(std::string_view bytes) {
    if (try_quoted_value(bytes)) {
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
    char* out = room(24);
    m_size += static_cast<std::size_t>(std::to_chars(out, out + 24, value).ptr - out);
    return *this;
}

JsonWriter& JsonWriter::boolean(bool value) {
    before_value();
    put(value ? std::string_view("true") : std::string_view("false"));
    return *this;
}

JsonWriter& JsonWriter::null() {
    before_value();
    put("null");
    return *this;
}

std::string_view JsonWriter::view() const {
    if (!m_first.empty() || m_after_key || m_size == 0 || m_line_start != 0) {
        throw std::logic_error("JsonWriter: document not complete");
    }
    return {m_out.data(), m_size};
}

void JsonWriter::clear() {
    m_size = 0;
    m_line_start = 0;
    m_first.clear();
    m_after_key = false;
}

std::string_view JsonWriter::end_line() {
    if (!m_first.empty() || m_after_key || m_size == m_line_start) {
        throw std::logic_error("JsonWriter: document not complete");
    }
    const std::size_t start = m_line_start;
    const std::size_t length = m_size - start;
    put('\n');
    m_line_start = m_size;
    return {m_out.data() + start, length};
}

std::string_view JsonWriter::lines() const {
    if (!m_first.empty() || m_after_key || m_size != m_line_start) {
        throw std::logic_error("JsonWriter: a document is not complete");
    }
    return {m_out.data(), m_size};
}

std::string JsonWriter::take_line() {
    std::string line(view());
    line += '\n';
    clear();
    return line;
}

} // namespace asocat::record
