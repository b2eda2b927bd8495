#include "launch/capture_recorder.hpp"

#include <type_traits>

#include "record/capture_records.hpp"

namespace asocat::launch {

void CaptureRecorder::emit(capture::CaptureEvent event) {
    m_drafts.push_back(std::visit(
        [](auto&& facts) -> record::RecordDraft {
            using Facts = std::decay_t<decltype(facts)>;
            if constexpr (std::is_same_v<Facts, session::ProcessStart>) {
                return record::process_start_record(std::move(facts));
            } else if constexpr (std::is_same_v<Facts, session::ProcessExec>) {
                return record::process_exec_record(std::move(facts));
            } else if constexpr (std::is_same_v<Facts, session::ProcessEnd>) {
                return record::process_end_record(std::move(facts));
            } else if constexpr (std::is_same_v<Facts, session::SocketEvent>) {
                return record::socket_event_record(std::move(facts));
            } else if constexpr (std::is_same_v<Facts, session::StreamEnd>) {
                return record::stream_end_record(std::move(facts));
            } else if constexpr (std::is_same_v<Facts, session::RefusedCall>) {
                return record::refused_call_record(std::move(facts));
            } else if constexpr (std::is_same_v<Facts, session::StreamPayload>) {
                return record::stream_payload_record(std::move(facts));
            } else if constexpr (std::is_same_v<Facts, session::PayloadTruncated>) {
                return record::payload_truncated_record(std::move(facts));
            } else {
                return record::capture_end_record(std::move(facts));
            }
        },
        std::move(event)));
}

util::Expected<bool> CaptureRecorder::flush(bool seal, bool may_wait) {
    // The supervisor parses the key only when it must sign: it serves socat first.
    if (seal) {
        if (auto loaded = m_trail.load_key(); !loaded) {
            return loaded.error();
        }
    }
    if (m_drafts.empty()) {
        return true;
    }
    auto appended =
        m_trail.write(m_drafts, seal ? evidence::Seal::checkpoint : evidence::Seal::none,
                      may_wait ? record::LockWait::block : record::LockWait::unless_busy);
    if (appended && *appended == evidence::Appended::deferred) {
        return false;
    }
    m_drafts.clear();
    if (!appended) {
        return appended.error();
    }
    return true;
}

util::Expected<capture::StoredBytes> CaptureRecorder::store_payload(std::string_view bytes) {
    auto offset = m_trail.append_payload(m_payload_file, bytes);
    if (!offset) {
        return offset.error();
    }
    return capture::StoredBytes{m_payload_file, *offset};
}

util::Expected<void> CaptureRecorder::tick() {
    if (auto loaded = m_trail.load_key(); !loaded) {
        return loaded;
    }
    return m_trail.tick();
}

} // namespace asocat::launch
