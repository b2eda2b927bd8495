// The records of the capture engine (field by field in man/audited-socat-records.7):
// process.start, process.exec, process.end, socket.bind/listen/connect/accept/shutdown,
// stream.end, call.refused and capture.end. Each carries asocat.session like the session records.
#pragma once

#include "record/record_draft.hpp"
#include "session/capture_events.hpp"

namespace asocat::record {

RecordDraft process_start_record(session::ProcessStart start);
RecordDraft process_exec_record(session::ProcessExec exec);
RecordDraft process_end_record(session::ProcessEnd end);
RecordDraft socket_event_record(session::SocketEvent event);
RecordDraft stream_end_record(session::StreamEnd stream);
RecordDraft refused_call_record(session::RefusedCall call);
RecordDraft capture_end_record(session::CaptureEnd end);
// Full capture: stream.payload (a run of a stream's bytes in the payload file, or a copy of
// bytes another stream received) and stream.truncated (storing stopped at a limit).
RecordDraft stream_payload_record(session::StreamPayload payload);
RecordDraft payload_truncated_record(session::PayloadTruncated truncated);

} // namespace asocat::record
