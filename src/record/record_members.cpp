#include "record/record_members.hpp"

#include <cstdint>

namespace asocat::record {

void begin_event(JsonWriter& w, const EventHead& head) {
    w.key("event").begin_object();
    w.key("kind").text(head.kind);
    w.key("category").begin_array();
    for (const char* category : head.categories) {
        w.text(category);
    }
    w.end_array();
    w.key("type").begin_array();
    for (const char* type : head.types) {
        w.text(type);
    }
    w.end_array();
    w.key("action").text(head.action);
    if (head.outcome != nullptr) {
        w.key("outcome").text(head.outcome);
    }
    w.key("dataset").text(head.dataset);
}

void write_optional_text(JsonWriter& w, RawFields& raw, const char* key, const char* field,
                         const std::optional<std::string>& value) {
    w.key(key);
    if (value) {
        raw.text(w, field, *value);
    } else {
        w.null();
    }
}

void write_text_array(JsonWriter& w, RawFields& raw, const char* key, const char* field,
                      const std::vector<std::string>& values) {
    w.key(key).begin_array();
    for (std::size_t i = 0; i < values.size(); ++i) {
        raw.text(w, field, values[i], static_cast<std::int64_t>(i));
    }
    w.end_array();
}

} // namespace asocat::record
