// Where the supervisor's observations go: typed session events, buffered by the sink and
// written on flush (the launcher's sink turns them into records in the evidence log).
#pragma once

#include <cstdint>
#include <string>
#include <string_view>
#include <variant>

#include "session/capture_events.hpp"
#include "util/error.hpp"

namespace asocat::capture {

using CaptureEvent =
    std::variant<session::ProcessStart, session::ProcessExec, session::ProcessEnd,
                 session::SocketEvent, session::StreamEnd, session::RefusedCall,
                 session::CaptureEnd, session::StreamPayload, session::PayloadTruncated>;

// Where stored payload bytes went: a file in the log directory and an offset in it.
struct StoredBytes {
    std::string file;
    std::uint64_t offset = 0;
};

class EventSink {
public:
    virtual ~EventSink() = default;
    virtual void emit(CaptureEvent event) = 0;
    // Writes what was emitted; `seal` asks for a signed checkpoint after it. With `may_wait`
    // false it gives up when another writer holds the log (false: nothing written, the events
    // stay pending); the supervisor must not wait while a traced process may hold it.
    virtual util::Expected<bool> flush(bool seal, bool may_wait) = 0;
    // Called periodically: interval checkpoints, heartbeats, rotation. Never waits for the log.
    virtual util::Expected<void> tick() = 0;
    virtual bool pending() const = 0; // emitted but not yet flushed
    // Full capture: appends `bytes` to the session's payload file.
    virtual util::Expected<StoredBytes> store_payload(std::string_view bytes) = 0;
};

} // namespace asocat::capture
