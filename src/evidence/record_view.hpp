// Typed access to the fields of a parsed record that the chain depends on. The writer uses it
// to resume a log, the verifier to check one; both read the same fields the same way.
#pragma once

#include <cstdint>
#include <optional>
#include <string_view>
#include <vector>

#include "record/json_reader.hpp"
#include "util/error.hpp"
#include "util/sha256.hpp"

namespace asocat::evidence {

// Fields every record of format 2 has.
struct RecordView {
    std::string_view timestamp;
    std::string_view log;
    std::uint64_t seq = 0;
    util::Digest256 prev{};
    std::string_view type;
    const record::JsonValue* asocat = nullptr;
};
util::Expected<RecordView> view_record(const record::JsonValue& root);

struct CheckpointView {
    std::string_view reason;
    std::uint64_t size = 0;
    util::Digest256 root{};
    std::vector<util::Digest256> frontier;
    std::string_view note;
};
util::Expected<CheckpointView> view_checkpoint(const RecordView& record);

struct HeaderView {
    std::string_view origin;
    std::string_view signer_name;
    std::string_view signer_key_id;
    const record::JsonValue* previous = nullptr; // null when the JSON value is null
};
util::Expected<HeaderView> view_header(const RecordView& record);

// A 32-byte hash in canonical base64, or nullopt.
std::optional<util::Digest256> decode_digest(std::string_view base64);

} // namespace asocat::evidence
