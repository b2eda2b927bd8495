// Members that several record types write the same way: the ECS event head, and strings from the
// outside world (argv, paths) whose exact bytes RawFields keeps when they are not UTF-8.
#pragma once

#include <initializer_list>
#include <optional>
#include <string>
#include <vector>

#include "record/json_writer.hpp"
#include "record/raw_fields.hpp"

namespace asocat::record {

// ECS categorisation (event.kind, .category, .type, .action, .outcome, .dataset).
struct EventHead {
    const char* kind;
    std::initializer_list<const char*> categories;
    std::initializer_list<const char*> types;
    const char* action;
    const char* outcome; // nullptr: no event.outcome
    const char* dataset;
};

// Opens "event" with the head's members and leaves it open for the caller's own (start, end,
// duration); the caller closes it.
void begin_event(JsonWriter& w, const EventHead& head);

// `key`: the value's text, or null when there is none. `field` names it in asocat.raw.
void write_optional_text(JsonWriter& w, RawFields& raw, const char* key, const char* field,
                         const std::optional<std::string>& value);

// `key`: an array of texts (argv, file lists), each element's exact bytes kept by index.
void write_text_array(JsonWriter& w, RawFields& raw, const char* key, const char* field,
                      const std::vector<std::string>& values);

} // namespace asocat::record
