// The session's records on their way to the sink, with the fail-closed rule in one place: a
// record that cannot be written is an error for the caller, unless the administrator chose
// fail_open, in which case the failure is announced once (stderr and syslog, the channels that
// do not depend on the broken log) and the session goes on without records.
#pragma once

#include <functional>
#include <memory>
#include <string>
#include <string_view>

#include "record/record_sink.hpp"
#include "util/error.hpp"

namespace asocat::launch {

class AuditTrail {
public:
    AuditTrail(std::unique_ptr<record::RecordSink> sink, bool fail_open)
        : m_sink(std::move(sink)), m_fail_open(fail_open) {}

    // A trail whose sink could not even be opened; `error` says why.
    static AuditTrail unavailable(const util::Error& error, bool fail_open);

    util::Expected<void> write(std::string_view line);
    util::Expected<void> sync();

    // False once records are being dropped under fail_open.
    bool recording() const { return m_sink != nullptr; }
    std::string describe() const { return m_sink ? m_sink->describe() : "(no audit log)"; }

private:
    // Runs `operation` on the sink with the fail-closed/fail-open rule applied.
    util::Expected<void>
    apply(const std::function<util::Expected<void>(record::RecordSink&)>& operation);
    void degrade(const util::Error& error);

    std::unique_ptr<record::RecordSink> m_sink;
    bool m_fail_open;
};

} // namespace asocat::launch
