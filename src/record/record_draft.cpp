#include "record/record_draft.hpp"

#include "util/base64.hpp"

namespace asocat::record {

std::string RecordDraft::render(const ChainPosition& position) const {
    JsonWriter w;
    std::string line(render_into(w, position));
    line += '\n';
    return line;
}

std::string_view RecordDraft::render_into(JsonWriter& w, const ChainPosition& position) const {
    RawFields raw;
    char stamp[util::kRfc3339Size];
    char prev[util::base64_size(sizeof position.prev)];
    // The timestamp and prev are formatted on the stack: no heap string per record.
    w.begin_object();
    w.key("@timestamp").text({stamp, util::format_rfc3339(m_time, stamp)});
    w.key("ecs").begin_object().key("version").text(kEcsVersion).end_object();
    m_top_level(w, raw);
    w.key("asocat").begin_object();
    w.key("format").integer(kRecordFormat);
    w.key("log").text(position.log_id);
    w.key("seq").integer(static_cast<std::int64_t>(position.seq));
    const std::string_view prev_bytes(reinterpret_cast<const char*>(position.prev.data()),
                                      position.prev.size());
    w.key("prev").text({prev, util::base64_encode_to(prev_bytes, prev)});
    m_asocat(w, raw);
    raw.write_member(w);
    w.end_object();
    w.end_object();
    return w.end_line();
}

} // namespace asocat::record
