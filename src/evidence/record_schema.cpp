#include "evidence/record_schema.hpp"

#include <algorithm>
#include <map>

#include "record/json_writer.hpp"

namespace asocat::evidence {
namespace {

using record::JsonKind;
using record::JsonValue;

// --- the layouts (man/audited-socat-records.7) --------------------------------------------

const Shape kEcs{{{"version", kString}}};
const Shape kHost{{{"name", kString}}};
const Shape kHash{{{"sha256", kString}}};

const Shape kSessionStartEvent{{{"kind", kString},
                                {"category", kArray, false, nullptr, kString},
                                {"type", kArray, false, nullptr, kString},
                                {"action", kString},
                                {"dataset", kString},
                                {"start", kString}}};
const Shape kSessionEndEvent{{{"kind", kString},
                              {"category", kArray, false, nullptr, kString},
                              {"type", kArray, false, nullptr, kString},
                              {"action", kString},
                              {"outcome", kString},
                              {"dataset", kString},
                              {"start", kString},
                              {"end", kString},
                              {"duration", kInt, true}}};
const Shape kLogEvent{{{"kind", kString},
                       {"category", kArray, false, nullptr, kString},
                       {"type", kArray, false, nullptr, kString},
                       {"action", kString},
                       {"dataset", kString}}};

const Shape kParentProcess{{{"pid", kInt}, {"name", kString}, {"executable", kString | kNull}}};
const Shape kStartProcess{{{"pid", kInt},
                           {"name", kString},
                           {"executable", kString},
                           {"args", kArray, false, nullptr, kString},
                           {"args_count", kInt},
                           {"working_directory", kString | kNull},
                           {"hash", kObject, false, &kHash},
                           {"parent", kObject, false, &kParentProcess}}};
const Shape kEndProcess{{{"pid", kInt}, {"exit_code", kInt, true}}};
const Shape kEcsEffective{{{"id", kString}, {"name", kString, true}}};
const Shape kEcsUser{
    {{"id", kString}, {"name", kString, true}, {"effective", kObject, false, &kEcsEffective}}};
const Shape kEcsGroup{{{"id", kString}, {"name", kString, true}}};

const Shape kNamedId{{{"id", kInt}, {"name", kString | kNull}}};
const Shape kKernelParent{{{"pid", kInt},
                           {"executable", kString | kNull},
                           {"name", kString | kNull},
                           {"args", kArray, false, nullptr, kString},
                           {"args_truncated", kBool, true}}};
const Shape kKernel{{{"uid", kObject, false, &kNamedId},
                     {"euid", kObject, false, &kNamedId},
                     {"gid", kObject, false, &kNamedId},
                     {"egid", kObject, false, &kNamedId},
                     {"groups", kArray, false, nullptr, kObject, &kNamedId},
                     {"loginuid", kInt | kNull},
                     {"audit_session", kInt | kNull},
                     {"tty", kString | kNull},
                     {"parent", kObject, false, &kKernelParent},
                     // Optional from here: absent in logs written before they were recorded.
                     {"ancestors", kArray, true, nullptr, kObject, &kKernelParent},
                     {"session_leader", kInt, true},
                     {"cgroup", kString | kNull, true},
                     {"systemd_unit", kString | kNull, true},
                     {"machine_id", kString | kNull, true},
                     {"boot_id", kString | kNull, true}}};
const Shape kSudoClaim{{{"user", kString | kNull},
                        {"uid", kInt | kNull},
                        {"gid", kInt | kNull},
                        {"command", kString | kNull},
                        {"sudo_in_chain", kBool},
                        {"uid_is_loginuid", kBool | kNull}}};
const Shape kClaimedEndpoint{{{"address", kString | kNull}, {"port", kInt}}};
const Shape kSshClaim{{{"variable", kString},
                       {"value", kString},
                       {"well_formed", kBool},
                       {"client", kObject | kNull, false, &kClaimedEndpoint},
                       {"server", kObject | kNull, false, &kClaimedEndpoint},
                       {"sshd_in_chain", kBool}}};
const Shape kCiClaim{{{"system", kString},
                      {"repository", kString | kNull},
                      {"ref", kString | kNull},
                      {"actor", kString | kNull},
                      {"job", kString | kNull},
                      {"run", kString | kNull},
                      {"url", kString | kNull}}};
const Shape kClaimed{{{"sudo", kObject | kNull, false, &kSudoClaim},
                      {"ssh", kObject | kNull, false, &kSshClaim},
                      {"ci", kObject | kNull, false, &kCiClaim},
                      {"truncated", kArray, false, nullptr, kString}}};
const Shape kBinding{
    {{"fact", kString}, {"claim", kString}, {"actual", kString | kNull}, {"matched", kBool}}};
const Shape kToken{{{"issuer", kString},
                    {"subject", kString | kNull},
                    {"audience", kString},
                    {"algorithm", kString},
                    {"kid", kString | kNull},
                    {"expires", kInt},
                    {"issued_at", kInt | kNull},
                    {"mfa", kBool | kNull},
                    {"amr", kArray, false, nullptr, kString},
                    {"acr", kString | kNull},
                    {"claims", kObject}}}; // the issuer's claims, whatever they are
const Shape kAttested{{{"status", kString},
                       {"source", kString},
                       {"location", kString | kNull},
                       {"reason", kString | kNull},
                       {"detail", kString | kNull},
                       {"token_sha256", kString | kNull},
                       {"token", kObject | kNull, false, &kToken},
                       {"binding", kArray, false, nullptr, kObject, &kBinding}}};
const Shape kTicket{{{"id", kString},
                     {"truncated", kBool},
                     {"source", kString},
                     {"pattern", kString | kNull},
                     {"matches", kBool | kNull},
                     {"approval", kObject | kNull, false, &kAttested}}};
const Shape kIdentity{{{"kernel", kObject, false, &kKernel},
                       {"claimed", kObject, true, &kClaimed},
                       // Optional: absent in logs written before they were recorded.
                       {"attested", kObject | kNull, true, &kAttested},
                       {"ticket", kObject | kNull, true, &kTicket}}};
const Shape kWrapper{{{"version", kString}, {"privileged", kBool}}};
const Shape kSettings{{{"config_files", kArray, false, nullptr, kString},
                       {"environment", kArray, false, nullptr, kString},
                       {"log", kString},
                       {"fail_open", kBool},
                       {"socat_source", kString}}};
const Shape kEnd{{{"reason", kString},
                  {"exit_code", kInt, true},
                  {"signal", kString, true},
                  {"signal_number", kInt, true},
                  {"core_dumped", kBool, true},
                  {"error", kString, true},
                  {"exec_check", kString},
                  {"wrapper_status", kInt}}};
const Shape kRaw{{{"field", kString}, {"index", kInt, true}, {"base64", kString}}};
const Shape kSigner{{{"name", kString}, {"key_id", kString}}};
const Shape kPrevious{{{"file", kString},
                       {"log", kString, true},
                       {"size", kInt, true},
                       {"root", kString, true},
                       {"checkpoint", kString, true},
                       {"anomaly", kString, true}}};
const Shape kTorn{{{"offset", kInt}, {"length", kInt}, {"sha256", kString}}};

// --- capture records ---
const Shape kCaptureEvent{{{"kind", kString},
                           {"category", kArray, false, nullptr, kString},
                           {"type", kArray, false, nullptr, kString},
                           {"action", kString},
                           {"outcome", kString, true},
                           {"dataset", kString}}};
const Shape kPidOnly{{{"pid", kInt}}};
const Shape kCaptureStartProcess{
    {{"pid", kInt}, {"executable", kString | kNull}, {"parent", kObject, false, &kPidOnly}}};
const Shape kExecProcess{{{"pid", kInt},
                          {"executable", kString | kNull},
                          {"args", kArray, false, nullptr, kString},
                          {"args_count", kInt},
                          {"hash", kObject, true, &kHash}}};
const Shape kExec{{{"path", kString}, {"outcome", kString}, {"args_truncated", kBool}}};
const Shape kProcessEnd{{{"reason", kString},
                         {"exit_code", kInt, true},
                         {"signal", kString, true},
                         {"signal_number", kInt, true}}};
const Shape kEcsEndpoint{{{"address", kString, true}, {"ip", kString, true}, {"port", kInt, true}}};
const Shape kNetwork{{{"transport", kString}, {"type", kString, true}}};
const Shape kEndpoint{{{"family", kString},
                       {"address", kString, true},
                       {"port", kInt, true},
                       {"abstract", kBool, true},
                       {"family_number", kInt, true}}};
const Shape kSocket{{{"fd", kInt},
                     {"local", kObject, true, &kEndpoint},
                     {"peer", kObject, true, &kEndpoint},
                     {"error", kString, true},
                     {"error_number", kInt, true},
                     {"accepted_fd", kInt, true},
                     {"backlog", kInt, true},
                     {"how", kString, true}}};
const Shape kDirection{{{"bytes", kInt},
                        {"calls", kInt},
                        {"sha256", kString, true},
                        {"eof", kBool},
                        {"first", kString, true},
                        {"last", kString, true}}};
const Shape kStream{{{"fd", kInt},
                     {"kind", kString},
                     {"path", kString, true},
                     {"local", kObject, true, &kEndpoint},
                     {"peer", kObject, true, &kEndpoint},
                     {"reason", kString},
                     {"in", kObject, false, &kDirection},
                     {"out", kObject, false, &kDirection}}};
const Shape kCall{{{"name", kString}, {"error", kString}}};
const Shape kPayloadCopy{{{"pid", kInt}, {"fd", kInt}, {"direction", kString}, {"offset", kInt}}};
const Shape kPayload{{{"fd", kInt},
                      {"direction", kString},
                      {"offset", kInt},
                      {"length", kInt},
                      {"file", kString, true},
                      {"file_offset", kInt, true},
                      {"copy_of", kObject, true, &kPayloadCopy}}};
const Shape kTruncated{{{"fd", kInt},
                        {"direction", kString},
                        {"stored", kInt},
                        {"stored_sha256", kString},
                        {"reason", kString},
                        {"limit", kInt}}};
const Shape kCapture{{{"level", kString},
                      {"processes", kInt},
                      {"streams", kInt},
                      {"bytes_in", kInt},
                      {"bytes_out", kInt},
                      {"refused_calls", kInt},
                      {"error", kString, true}}};

// asocat members every record starts with, and the optional exact-bytes list it may end with.
std::vector<Field> asocat_fields(std::vector<Field> specific) {
    std::vector<Field> fields{
        {"format", kInt}, {"log", kString}, {"seq", kInt}, {"prev", kString}, {"type", kString}};
    fields.insert(fields.end(), specific.begin(), specific.end());
    fields.push_back({"raw", kArray, true, nullptr, kObject, &kRaw});
    return fields;
}

std::vector<Field> record_fields(std::vector<Field> specific, const Shape* asocat) {
    std::vector<Field> fields{{"@timestamp", kString}, {"ecs", kObject, false, &kEcs}};
    fields.insert(fields.end(), specific.begin(), specific.end());
    fields.push_back({"asocat", kObject, false, asocat});
    return fields;
}

struct Layouts {
    Shape start_asocat{asocat_fields({{"session", kString},
                                      {"wrapper", kObject, false, &kWrapper},
                                      {"settings", kObject, false, &kSettings},
                                      {"capture", kString, true}, // absent before 0.2
                                      {"identity", kObject, false, &kIdentity}})};
    Shape end_asocat{asocat_fields({{"session", kString}, {"end", kObject, false, &kEnd}})};
    Shape header_asocat{asocat_fields({{"origin", kString},
                                       {"signer", kObject, false, &kSigner},
                                       {"previous", kNull | kObject, false, &kPrevious}})};
    Shape checkpoint_asocat{asocat_fields({{"reason", kString},
                                           {"size", kInt},
                                           {"root", kString},
                                           {"frontier", kArray, false, nullptr, kString},
                                           {"note", kString}})};
    Shape recovery_asocat{asocat_fields({{"torn", kObject, false, &kTorn}})};
    Shape session_only_asocat{asocat_fields({{"session", kString}})};
    Shape exec_asocat{asocat_fields({{"session", kString}, {"exec", kObject, false, &kExec}})};
    Shape process_end_asocat{
        asocat_fields({{"session", kString}, {"end", kObject, false, &kProcessEnd}})};
    Shape socket_asocat{
        asocat_fields({{"session", kString}, {"socket", kObject, false, &kSocket}})};
    Shape stream_asocat{
        asocat_fields({{"session", kString}, {"stream", kObject, false, &kStream}})};
    Shape call_asocat{asocat_fields({{"session", kString}, {"call", kObject, false, &kCall}})};
    Shape payload_asocat{
        asocat_fields({{"session", kString}, {"payload", kObject, false, &kPayload}})};
    Shape truncated_asocat{
        asocat_fields({{"session", kString}, {"truncated", kObject, false, &kTruncated}})};
    Shape capture_asocat{
        asocat_fields({{"session", kString}, {"capture", kObject, false, &kCapture}})};

    // The ECS endpoints a socket record carries depend on who initiated (see the spec).
    Shape socket_record(std::vector<Field> endpoints) const {
        std::vector<Field> fields{{"event", kObject, false, &kCaptureEvent},
                                  {"process", kObject, false, &kPidOnly}};
        fields.insert(fields.end(), endpoints.begin(), endpoints.end());
        fields.push_back({"network", kObject, false, &kNetwork});
        return Shape{record_fields(std::move(fields), &socket_asocat)};
    }
    Shape connection_record() const {
        return socket_record({{"source", kObject, true, &kEcsEndpoint},
                              {"destination", kObject, true, &kEcsEndpoint}});
    }
    Shape server_record() const {
        return socket_record({{"server", kObject, true, &kEcsEndpoint}});
    }

    std::map<std::string_view, Shape> records{
        {"log.header", Shape{record_fields({{"event", kObject, false, &kLogEvent},
                                            {"host", kObject, false, &kHost}},
                                           &header_asocat)}},
        {"session.start", Shape{record_fields({{"event", kObject, false, &kSessionStartEvent},
                                               {"host", kObject, false, &kHost},
                                               {"process", kObject, false, &kStartProcess},
                                               {"user", kObject, false, &kEcsUser},
                                               {"group", kObject, false, &kEcsGroup}},
                                              &start_asocat)}},
        {"session.end", Shape{record_fields({{"event", kObject, false, &kSessionEndEvent},
                                             {"process", kObject, false, &kEndProcess}},
                                            &end_asocat)}},
        {"checkpoint",
         Shape{record_fields({{"event", kObject, false, &kLogEvent}}, &checkpoint_asocat)}},
        {"log.recovery",
         Shape{record_fields({{"event", kObject, false, &kLogEvent}}, &recovery_asocat)}},
        {"process.start", Shape{record_fields({{"event", kObject, false, &kCaptureEvent},
                                               {"process", kObject, false, &kCaptureStartProcess}},
                                              &session_only_asocat)}},
        {"process.exec", Shape{record_fields({{"event", kObject, false, &kCaptureEvent},
                                              {"process", kObject, false, &kExecProcess}},
                                             &exec_asocat)}},
        {"process.end", Shape{record_fields({{"event", kObject, false, &kCaptureEvent},
                                             {"process", kObject, false, &kEndProcess}},
                                            &process_end_asocat)}},
        {"socket.bind", server_record()},
        {"socket.listen", server_record()},
        {"socket.connect", connection_record()},
        {"socket.accept", connection_record()},
        {"socket.shutdown", socket_record({})},
        {"stream.end", Shape{record_fields({{"event", kObject, false, &kCaptureEvent},
                                            {"process", kObject, false, &kPidOnly}},
                                           &stream_asocat)}},
        {"stream.payload", Shape{record_fields({{"event", kObject, false, &kCaptureEvent},
                                                {"process", kObject, false, &kPidOnly}},
                                               &payload_asocat)}},
        {"stream.truncated", Shape{record_fields({{"event", kObject, false, &kCaptureEvent},
                                                  {"process", kObject, false, &kPidOnly}},
                                                 &truncated_asocat)}},
        {"call.refused", Shape{record_fields({{"event", kObject, false, &kCaptureEvent},
                                              {"process", kObject, false, &kPidOnly}},
                                             &call_asocat)}},
        {"capture.end",
         Shape{record_fields({{"event", kObject, false, &kCaptureEvent}}, &capture_asocat)}},
    };
};

const Layouts& layouts() {
    static const Layouts all; // immutable after construction
    return all;
}

std::uint8_t kind_bit(JsonKind kind) {
    switch (kind) {
    case JsonKind::null:
        return kNull;
    case JsonKind::boolean:
        return kBool;
    case JsonKind::integer:
        return kInt;
    case JsonKind::string:
        return kString;
    case JsonKind::array:
        return kArray;
    case JsonKind::object:
        return kObject;
    }
    return 0;
}

std::string kinds_text(std::uint8_t kinds) {
    static constexpr std::pair<std::uint8_t, const char*> names[] = {
        {kString, "a string"}, {kInt, "an integer"},   {kBool, "true or false"},
        {kArray, "an array"},  {kObject, "an object"}, {kNull, "null"}};
    std::string text;
    for (const auto& [bit, name] : names) {
        if ((kinds & bit) != 0) {
            text += text.empty() ? name : std::string(" or ") + name;
        }
    }
    return text;
}

// Where in a record a member is, built on the stack and spelled out only for an error, so that
// checking a conforming record allocates nothing.
struct Path {
    const Path* parent = nullptr;
    std::string_view name; // a member name, or empty for an array element
    std::size_t index = 0; // the element's position when `name` is empty
    std::string spell() const {
        std::string head = parent != nullptr ? parent->spell() : std::string();
        if (!name.empty()) {
            return head.empty() ? std::string(name) : head + "." + std::string(name);
        }
        return head + "[" + std::to_string(index) + "]";
    }
};

std::string check_value(const JsonValue& value, std::uint8_t kinds, const Shape* shape,
                        std::uint8_t element_kinds, const Shape* element_shape, const Path& path);

std::string member_path(const Path* parent, std::string_view name) {
    return Path{parent, name, 0}.spell();
}

std::string check_object(const JsonValue& object, const Shape& shape, const Path* path) {
    std::size_t next = 0; // members must come in the shape's order
    for (std::size_t i = 0; i < object.size(); ++i) {
        const std::string_view name = object.key(i);
        std::size_t at = next;
        // The common case, a conforming record, costs one comparison per member.
        const bool in_place = at < shape.fields.size() && shape.fields[at].name == name;
        if (!in_place && std::none_of(shape.fields.begin(), shape.fields.end(),
                                      [&](const Field& f) { return f.name == name; })) {
            return member_path(path, name) + " is not a member of this record type";
        }
        while (at < shape.fields.size() && shape.fields[at].name != name) {
            if (!shape.fields[at].optional) {
                // Present further on means misplaced, not missing.
                const bool later = object.find(shape.fields[at].name) != nullptr;
                return later ? member_path(path, name) + " is out of order (" +
                                   std::string(shape.fields[at].name) + " comes first)"
                             : member_path(path, shape.fields[at].name) + " is missing";
            }
            ++at;
        }
        if (at == shape.fields.size()) {
            return member_path(path, name) + " is out of order (or repeated)";
        }
        const Field& field = shape.fields[at];
        const Path here{path, name, 0};
        if (auto why = check_value(object.value(i), field.kinds, field.shape, field.element_kinds,
                                   field.element_shape, here);
            !why.empty()) {
            return why;
        }
        next = at + 1;
    }
    for (; next < shape.fields.size(); ++next) {
        if (!shape.fields[next].optional) {
            return member_path(path, shape.fields[next].name) + " is missing";
        }
    }
    return {};
}

std::string check_value(const JsonValue& value, std::uint8_t kinds, const Shape* shape,
                        std::uint8_t element_kinds, const Shape* element_shape, const Path& path) {
    if ((kind_bit(value.kind()) & kinds) == 0) {
        return path.spell() + " must be " + kinds_text(kinds);
    }
    if (value.kind() == JsonKind::object && shape != nullptr) {
        return check_object(value, *shape, &path);
    }
    if (value.kind() == JsonKind::array) {
        for (std::size_t i = 0; i < value.size(); ++i) {
            const Path element{&path, {}, i};
            if (auto why =
                    check_value(value.at(i), element_kinds, element_shape, 0, nullptr, element);
                !why.empty()) {
                return why;
            }
        }
    }
    return {};
}

// --- JSON Schema -----------------------------------------------------------------------------

void write_kinds(record::JsonWriter& w, std::uint8_t kinds) {
    static constexpr std::pair<std::uint8_t, const char*> names[] = {
        {kNull, "null"},     {kBool, "boolean"}, {kInt, "integer"},
        {kString, "string"}, {kArray, "array"},  {kObject, "object"}};
    int count = 0;
    for (const auto& [bit, name] : names) {
        count += (kinds & bit) != 0;
    }
    w.key("type");
    if (count > 1) {
        w.begin_array();
    }
    for (const auto& [bit, name] : names) {
        if ((kinds & bit) != 0) {
            w.text(name);
        }
    }
    if (count > 1) {
        w.end_array();
    }
}

void write_field_schema(record::JsonWriter& w, std::uint8_t kinds, const Shape* shape,
                        std::uint8_t element_kinds, const Shape* element_shape) {
    w.begin_object();
    write_kinds(w, kinds);
    if ((kinds & kInt) != 0) {
        w.key("minimum").integer(-record::kMaxExactInteger);
        w.key("maximum").integer(record::kMaxExactInteger);
    }
    if ((kinds & kObject) != 0 && shape != nullptr) {
        w.key("properties").begin_object();
        for (const auto& f : shape->fields) {
            w.key(f.name);
            write_field_schema(w, f.kinds, f.shape, f.element_kinds, f.element_shape);
        }
        w.end_object();
        w.key("required").begin_array();
        for (const auto& f : shape->fields) {
            if (!f.optional) {
                w.text(f.name);
            }
        }
        w.end_array();
        w.key("additionalProperties").boolean(false);
    }
    if ((kinds & kArray) != 0) {
        w.key("items");
        write_field_schema(w, element_kinds, element_shape, 0, nullptr);
    }
    w.end_object();
}

} // namespace

const std::vector<std::string_view>& record_types() {
    static const std::vector<std::string_view> types{
        "log.header",       "session.start", "session.end",     "checkpoint",  "log.recovery",
        "process.start",    "process.exec",  "process.end",     "socket.bind", "socket.listen",
        "socket.connect",   "socket.accept", "socket.shutdown", "stream.end",  "stream.payload",
        "stream.truncated", "call.refused",  "capture.end"};
    return types;
}

const Shape* record_shape(std::string_view type) {
    const auto& records = layouts().records;
    const auto found = records.find(type);
    return found != records.end() ? &found->second : nullptr;
}

std::string check_record_shape(const record::JsonValue& root, std::string_view type) {
    const Shape* shape = record_shape(type);
    if (shape == nullptr) {
        return "asocat.type \"" + std::string(type) + "\" is not a record type of format 2";
    }
    if (root.kind() != JsonKind::object) {
        return "a record must be a JSON object";
    }
    return check_object(root, *shape, nullptr);
}

std::string json_schema() {
    record::JsonWriter w;
    w.begin_object();
    w.key("$schema").text("https://json-schema.org/draft/2020-12/schema");
    w.key("$id").text("https://audited-socat.invalid/schema/records-v2.schema.json");
    w.key("title").text("audited-socat audit record, format 2");
    w.key("oneOf").begin_array();
    for (const auto type : record_types()) {
        const Shape& shape = layouts().records.at(type);
        w.begin_object();
        w.key("title").text(type);
        write_kinds(w, kObject);
        w.key("properties").begin_object();
        for (const auto& f : shape.fields) {
            w.key(f.name);
            if (f.name == "asocat") {
                // Pins asocat.type, which tells the record types apart.
                w.begin_object().key("allOf").begin_array();
                write_field_schema(w, f.kinds, f.shape, 0, nullptr);
                w.begin_object().key("properties").begin_object().key("type").begin_object();
                w.key("const").text(type).end_object().end_object().end_object();
                w.end_array().end_object();
            } else {
                write_field_schema(w, f.kinds, f.shape, f.element_kinds, f.element_shape);
            }
        }
        w.end_object();
        w.key("required").begin_array();
        for (const auto& f : shape.fields) {
            if (!f.optional) {
                w.text(f.name);
            }
        }
        w.end_array();
        w.key("additionalProperties").boolean(false);
        w.end_object();
    }
    w.end_array();
    w.end_object();
    return w.take_line();
}

} // namespace asocat::evidence
