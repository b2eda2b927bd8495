// The layout of every record type of format 2, as data: which members an object has, in which
// order, of which JSON types, and which may be absent. The verifier checks records against it
// (missing, unknown, misplaced or mistyped members), and `socat-audit schema` prints it as the
// JSON Schema kept in schema/ (tests validate every emitted record with an independent
// validator against that file). One table, so the three cannot drift apart.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "record/json_reader.hpp"

namespace asocat::evidence {

// JSON types a member may take, as a bit set.
enum Kinds : std::uint8_t {
    kNull = 1,
    kBool = 2,
    kInt = 4,
    kString = 8,
    kArray = 16,
    kObject = 32,
};

struct Shape;

struct Field {
    std::string_view name;
    std::uint8_t kinds;
    bool optional = false;
    const Shape* shape = nullptr;         // for objects
    std::uint8_t element_kinds = 0;       // for arrays
    const Shape* element_shape = nullptr; // for arrays of objects
};

struct Shape {
    std::vector<Field> fields; // in the order records carry them
};

// The record types of format 2, in the order the spec lists them.
const std::vector<std::string_view>& record_types();

// The layout of a record type, or nullptr if format 2 has no such type.
const Shape* record_shape(std::string_view type);

// Checks a parsed record against the layout of its asocat.type; empty if it conforms,
// otherwise one sentence naming the member (e.g. "process.args[2] must be a string").
std::string check_record_shape(const record::JsonValue& root, std::string_view type);

// The JSON Schema (draft 2020-12) of all record types, canonical JSON plus a newline.
std::string json_schema();

} // namespace asocat::evidence
