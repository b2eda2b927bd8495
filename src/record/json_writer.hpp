// The one way records become bytes: a streaming JSON writer with the canonical form the format
// spec fixes (man/audited-socat-records.7): keys in the order the caller writes them, no
// whitespace, integers only and within I-JSON's exact range, minimal escaping, valid UTF-8
// guaranteed. Bytes that are not UTF-8 are never passed through: `text_lossy` substitutes
// U+FFFD and reports it so the caller can record the exact bytes separately (see RawFields).
#pragma once

#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

namespace asocat::record {

// Largest integer a JSON number carries exactly across implementations (RFC 7493 I-JSON).
inline constexpr std::int64_t kMaxExactInteger = (std::int64_t{1} << 53) - 1;

class JsonWriter {
public:
    JsonWriter& begin_object();
    JsonWriter& end_object();
    JsonWriter& begin_array();
    JsonWriter& end_array();

    // A member name; must be valid UTF-8 (names are our own constants).
    JsonWriter& key(std::string_view name);

    // A string that the caller guarantees is valid UTF-8 (throws std::logic_error otherwise,
    // and the document stays as it was). Validated while it is escaped, in one pass.
    JsonWriter& text(std::string_view utf8);
    // Any bytes; returns true if some had to be replaced because they were not UTF-8.
    bool text_lossy(std::string_view bytes);

    // Throws std::out_of_range outside +-kMaxExactInteger.
    JsonWriter& integer(std::int64_t value);
    JsonWriter& boolean(bool value);
    JsonWriter& null();

    // The finished document plus '\n'. The writer is empty again afterwards.
    std::string take_line();

    // The finished document without '\n', valid until the next call; then clear() to reuse the
    // writer's buffer (the verifier serialises millions of records with one writer).
    std::string_view view() const;
    void clear();

    // JSON Lines: ends the finished document with '\n' and lets another one follow in the same
    // buffer. Returns the document without its '\n', valid until the writer is used again.
    std::string_view end_line();
    // Every line ended since clear(), each with its '\n'; valid until the writer is used again.
    std::string_view lines() const;

private:
    void before_value();
    // Where the document stands, to undo a value that turned out not to be UTF-8.
    struct Mark {
        std::size_t size;
        bool after_key;
        std::uint8_t first;
    };
    Mark mark() const;
    void rewind(const Mark& mark);
    // A quoted string as the next value (or key); false, with nothing written, if not UTF-8.
    bool try_quoted_value(std::string_view utf8);
    bool append_quoted(std::string_view utf8); // false if `utf8` is not UTF-8 (output partial)
    // Room for `n` more bytes; the pointer is where they go. One capacity check per token
    // rather than per byte: the verifier re-serialises every record it reads.
    char* room(std::size_t n) {
        if (m_size + n > m_out.size()) {
            grow(n);
        }
        return m_out.data() + m_size;
    }
    void grow(std::size_t n);
    void put(char c) {
        *room(1) = c;
        ++m_size;
    }
    void put(std::string_view text);

    std::vector<char> m_out; // the document is m_out[0, m_size)
    std::size_t m_size = 0;
    std::size_t m_line_start = 0; // where the document being written begins
    // One entry per open container: 1 while no member has been written yet.
    std::vector<std::uint8_t> m_first;
    bool m_after_key = false;
};

} // namespace asocat::record
