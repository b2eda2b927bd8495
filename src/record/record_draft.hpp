// A record that knows everything about itself except where it sits in its log. The evidence
// layer renders it under the log's lock, when its log id, sequence number and the hash of the
// record before it are known, so those become part of the exact bytes that are hashed.
//
// Layout of every record (man/audited-socat-records.7):
//   {"@timestamp":...,"ecs":{...},<top members>,
//    "asocat":{"format":2,"log":...,"seq":N,"prev":...,<asocat members>[,"raw":[...]]}}
#pragma once

#include <cstdint>
#include <functional>
#include <string>
#include <string_view>

#include "record/json_writer.hpp"
#include "record/raw_fields.hpp"
#include "util/clock.hpp"
#include "util/sha256.hpp"

namespace asocat::record {

// Version of the record layout; bumped when a field changes meaning or order.
inline constexpr int kRecordFormat = 2;
inline constexpr const char* kEcsVersion = "8.11.0";

struct ChainPosition {
    std::string_view log_id;
    std::uint64_t seq;
    util::Digest256 prev; // RFC 6962 leaf hash of the previous record (zeros before the first)
};

class RecordDraft {
public:
    using Members = std::function<void(JsonWriter&, RawFields&)>;

    RecordDraft(util::WallTime time, Members top_level, Members asocat)
        : m_time(time), m_top_level(std::move(top_level)), m_asocat(std::move(asocat)) {}

    // One canonical line, "\n" included.
    std::string render(const ChainPosition& position) const;
    // The same line appended to `lines` (JSON Lines); returns it without its "\n", valid until
    // `lines` is used again.
    std::string_view render_into(JsonWriter& lines, const ChainPosition& position) const;
    const util::WallTime& time() const { return m_time; }

private:
    util::WallTime m_time;
    Members m_top_level;
    Members m_asocat;
};

} // namespace asocat::record
