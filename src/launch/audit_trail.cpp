#include "launch/audit_trail.hpp"

#include <syslog.h>

#include <cstdio>

namespace asocat::launch {

AuditTrail AuditTrail::unavailable(const util::Error& error, bool fail_open) {
    AuditTrail trail(nullptr, fail_open);
    if (fail_open) {
        trail.degrade(error);
    }
    return trail;
}

void AuditTrail::degrade(const util::Error& error) {
    const std::string line = "audited-socat: warning: " + error.describe() +
                             "; running socat without audit records (fail_open = true)";
    std::fprintf(stderr, "%s\n", line.c_str());
    ::openlog("audited-socat", LOG_PID, LOG_AUTHPRIV);
    ::syslog(LOG_WARNING, "%s", line.c_str());
    ::closelog();
    m_sink.reset();
}

util::Expected<void> AuditTrail::write(std::string_view line) {
    return apply([&](record::RecordSink& sink) { return sink.append(line); });
}

util::Expected<void> AuditTrail::sync() {
    return apply([](record::RecordSink& sink) { return sink.sync(); });
}

util::Expected<void>
AuditTrail::apply(const std::function<util::Expected<void>(record::RecordSink&)>& operation) {
    if (!m_sink) {
        if (m_fail_open) {
            return {};
        }
        return util::Error("audit trail unavailable");
    }
    auto done = operation(*m_sink);
    if (!done && m_fail_open) {
        degrade(done.error());
        return {};
    }
    return done;
}

} // namespace asocat::launch
