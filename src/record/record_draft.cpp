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
    // Fixed ASCII, so the names and these two values skip UTF-8 validation.
    w.begin_object();
    w.key_prevalidated("@timestamp")
        .text_prevalidated({stamp, util::format_rfc3339(m_time, stamp)});
    w.key_prevalidated("ecs")
        .begin_object()
        .key_prevalidated("version")
        .text(kEcsVersion)
        .end_object();
    m_top_level(w, raw);
    w.key_prevalidated("asocat").begin_object();
    w.key_prevalidated("format").integer(kRecordFormat);
    w.key_prevalidated("log").text(position.log_id);
    w.key_prevalidated("seq").integer(static_cast<std::int64_t>(position.seq));
    const std::string_view prev_bytes(reinterpret_cast<const char*>(position.prev.data()),
                                      position.prev.size());
    w.key_prevalidated("prev").text_prevalidated({prev, util::base64_encode_to(prev_bytes, prev)});
    m_asocat(w, raw);
    raw.write_member(w);
    w.end_object();
    w.end_object();
    return w.end_line();
}

} // namespace asocat::record
