#include "record/raw_fields.hpp"

#include "util/base64.hpp"

namespace asocat::record {

void RawFields::text(JsonWriter& w, std::string_view field, std::string_view bytes,
                     std::optional<std::int64_t> index) {
    if (w.text_lossy(bytes)) {
        m_entries.push_back({std::string(field), index, util::base64_encode(bytes)});
    }
}

void RawFields::write_member(JsonWriter& w) const {
    if (m_entries.empty()) {
        return;
    }
    w.key("raw").begin_array();
    for (const auto& entry : m_entries) {
        w.begin_object().key("field").text(entry.field);
        if (entry.index) {
            w.key("index").integer(*entry.index);
        }
        w.key("base64").text(entry.base64).end_object();
    }
    w.end_array();
}

} // namespace asocat::record
