// The capture supervisor's sink in the launcher: each observation becomes a record draft, and
// a flush appends the drafts gathered so far to the session's evidence log in one write.
#pragma once

#include <vector>

#include "capture/event_sink.hpp"
#include "launch/audit_trail.hpp"
#include "record/record_draft.hpp"

namespace asocat::launch {

class CaptureRecorder final : public capture::EventSink {
public:
    // `session`: names the session's payload file (full capture).
    CaptureRecorder(AuditTrail& trail, const std::string& session)
        : m_trail(trail), m_payload_file("payload-" + session + ".blob") {}

    void emit(capture::CaptureEvent event) override;
    util::Expected<bool> flush(bool seal, bool may_wait) override;
    util::Expected<void> tick() override;
    bool pending() const override { return !m_drafts.empty(); }
    util::Expected<capture::StoredBytes> store_payload(std::string_view bytes) override;

private:
    AuditTrail& m_trail;
    std::string m_payload_file;
    std::vector<record::RecordDraft> m_drafts;
};

} // namespace asocat::launch
