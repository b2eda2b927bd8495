#include "record/record_draft.hpp"

#include "util/base64.hpp"

namespace asocat::record {

std::string RecordDraft::render(const ChainPosition& position) const {
    JsonWriter w;
    RawFields raw;
    w.begin_object();
    w.key("@timestamp").text(util::rfc3339(m_time));
    w.key("ecs").begin_object().key("version").text(kEcsVersion).end_object();
    m_top_level(w, raw);
    w.key("asocat").begin_object();
    w.key("format").integer(kRecordFormat);
    w.key("log").text(position.log_id);
    w.key("seq").integer(static_cast<std::int64_t>(position.seq));
    w.key("prev").text(util::base64_encode(std::string_view(
        reinterpret_cast<const char*>(position.prev.data()), position.prev.size())));
    m_asocat(w, raw);
    raw.write_member(w);
    w.end_object();
    w.end_object();
    return w.take_line();
}

} // namespace asocat::record
