// session.start and session.end records (field by field in man/audited-socat-records.7).
#pragma once

#include "record/record_draft.hpp"
#include "session/session_facts.hpp"

namespace asocat::record {

RecordDraft session_start_record(session::SessionStart start);
RecordDraft session_end_record(session::SessionEnd end);

} // namespace asocat::record
