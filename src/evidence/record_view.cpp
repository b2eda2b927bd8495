#include "evidence/record_view.hpp"

#include <cstring>

#include "record/record_draft.hpp"
#include "util/base64.hpp"

namespace asocat::evidence {
namespace {

using record::JsonKind;
using record::JsonValue;

const JsonValue* member(const JsonValue* object, std::string_view name, JsonKind kind) {
    if (object == nullptr || object->kind() != JsonKind::object) {
        return nullptr;
    }
    const JsonValue* value = object->find(name);
    return value != nullptr && value->kind() == kind ? value : nullptr;
}

util::Error missing(std::string_view field) {
    return util::Error("missing or mistyped field " + std::string(field));
}

} // namespace

std::optional<util::Digest256> decode_digest(std::string_view base64) {
    // 44 characters, one '=': anything longer cannot be 32 bytes, so it is not decoded at all.
    char bytes[util::base64_decoded_capacity(util::base64_size(32))];
    if (base64.size() != util::base64_size(32)) {
        return std::nullopt;
    }
    const auto size = util::base64_decode_to(base64, bytes);
    if (!size || *size != 32) {
        return std::nullopt;
    }
    util::Digest256 digest{};
    std::memcpy(digest.data(), bytes, digest.size());
    return digest;
}

util::Expected<RecordView> view_record(const JsonValue& root) {
    RecordView view;
    const JsonValue* timestamp = member(&root, "@timestamp", JsonKind::string);
    view.asocat = member(&root, "asocat", JsonKind::object);
    if (timestamp == nullptr) {
        return missing("@timestamp");
    }
    if (view.asocat == nullptr) {
        return missing("asocat");
    }
    view.timestamp = timestamp->as_string();
    const JsonValue* format = member(view.asocat, "format", JsonKind::integer);
    if (format == nullptr) {
        return missing("asocat.format");
    }
    if (format->as_integer() != record::kRecordFormat) {
        return util::Error("unknown record format " + std::to_string(format->as_integer()));
    }
    const JsonValue* log = member(view.asocat, "log", JsonKind::string);
    const JsonValue* seq = member(view.asocat, "seq", JsonKind::integer);
    const JsonValue* prev = member(view.asocat, "prev", JsonKind::string);
    const JsonValue* type = member(view.asocat, "type", JsonKind::string);
    if (log == nullptr) {
        return missing("asocat.log");
    }
    if (seq == nullptr || seq->as_integer() < 0) {
        return missing("asocat.seq");
    }
    if (prev == nullptr) {
        return missing("asocat.prev");
    }
    if (type == nullptr) {
        return missing("asocat.type");
    }
    const auto prev_digest = decode_digest(prev->as_string());
    if (!prev_digest) {
        return util::Error("asocat.prev is not the base64 of 32 bytes");
    }
    view.log = log->as_string();
    view.seq = static_cast<std::uint64_t>(seq->as_integer());
    view.prev = *prev_digest;
    view.type = type->as_string();
    return view;
}

util::Expected<CheckpointView> view_checkpoint(const RecordView& record) {
    CheckpointView view;
    const JsonValue* reason = member(record.asocat, "reason", JsonKind::string);
    const JsonValue* size = member(record.asocat, "size", JsonKind::integer);
    const JsonValue* root = member(record.asocat, "root", JsonKind::string);
    const JsonValue* frontier = member(record.asocat, "frontier", JsonKind::array);
    const JsonValue* note = member(record.asocat, "note", JsonKind::string);
    if (reason == nullptr || size == nullptr || size->as_integer() < 0 || root == nullptr ||
        frontier == nullptr || note == nullptr) {
        return missing("of a checkpoint (reason, size, root, frontier, note)");
    }
    const auto root_digest = decode_digest(root->as_string());
    if (!root_digest) {
        return util::Error("checkpoint root is not the base64 of 32 bytes");
    }
    for (std::size_t i = 0; i < frontier->size(); ++i) {
        const JsonValue& element = frontier->at(i);
        const auto digest =
            element.kind() == JsonKind::string ? decode_digest(element.as_string()) : std::nullopt;
        if (!digest) {
            return util::Error("checkpoint frontier holds something other than hashes");
        }
        view.frontier.push_back(*digest);
    }
    view.reason = reason->as_string();
    view.size = static_cast<std::uint64_t>(size->as_integer());
    view.root = *root_digest;
    view.note = note->as_string();
    return view;
}

util::Expected<HeaderView> view_header(const RecordView& record) {
    HeaderView view;
    const JsonValue* origin = member(record.asocat, "origin", JsonKind::string);
    const JsonValue* signer = member(record.asocat, "signer", JsonKind::object);
    const JsonValue* name = member(signer, "name", JsonKind::string);
    const JsonValue* key_id = member(signer, "key_id", JsonKind::string);
    const JsonValue* previous = record.asocat->find("previous");
    if (origin == nullptr || name == nullptr || key_id == nullptr || previous == nullptr ||
        (previous->kind() != JsonKind::null && previous->kind() != JsonKind::object)) {
        return missing("of a log header (origin, signer, previous)");
    }
    view.origin = origin->as_string();
    view.signer_name = name->as_string();
    view.signer_key_id = key_id->as_string();
    view.previous = previous->kind() == JsonKind::object ? previous : nullptr;
    return view;
}

} // namespace asocat::evidence
