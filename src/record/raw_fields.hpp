// Exact bytes for the fields a record could only show approximately. JSON strings must be UTF-8;
// argv elements and paths are arbitrary bytes. Such a field is written with U+FFFD in place of
// the bad bytes (readable, ECS-compatible) and its exact bytes go, base64-encoded, into
// `asocat.raw`: [{"field":"process.args","index":3,"base64":"..."}], so nothing is lost.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "record/json_writer.hpp"

namespace asocat::record {

class RawFields {
public:
    // Writes `bytes` as a JSON string value into `w`; remembers them if they were not UTF-8.
    void text(JsonWriter& w, std::string_view field, std::string_view bytes,
              std::optional<std::int64_t> index = std::nullopt);

    // Writes the "raw" member if any field needed it.
    void write_member(JsonWriter& w) const;

    bool empty() const { return m_entries.empty(); }

private:
    struct Entry {
        std::string field;
        std::optional<std::int64_t> index;
        std::string base64;
    };
    std::vector<Entry> m_entries;
};

} // namespace asocat::record
