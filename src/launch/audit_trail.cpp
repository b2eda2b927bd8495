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
    if (!m_sink) {
        if (m_fail_open) {
            return {};
        }
        return util::Error("audit trail unavailable");
    }
    auto written = m_sink->append(line);
    if (!written && m_fail_open) {
        degrade(written.error());
        return {};
    }
    return written;
}

} // namespace asocat::launch
