// The session's records on their way into the evidence log, with the fail-closed rule in one
// place: a record that cannot be written is an error for the caller, unless the administrator
// chose fail_open, in which case the failure is announced once (stderr and syslog, the channels
// that do not depend on the broken log) and the session goes on without records.
#pragma once

#include <optional>
#include <string>
#include <vector>

#include "config/privilege.hpp"
#include "config/settings.hpp"
#include "evidence/chained_log.hpp"
#include "record/record_draft.hpp"
#include "util/error.hpp"

namespace asocat::launch {

class AuditTrail {
public:
    // Opens the log directory and names the signing key (creating the embedded default key on
    // first use). Without fail_open, failure is returned; with it, a trail that records
    // nothing is.
    static util::Expected<AuditTrail> open(const config::Settings& settings,
                                           const config::Privilege& privilege,
                                           const std::string& host);

    // With LockWait::unless_busy the drafts may be `deferred` (see evidence::ChainedLog).
    util::Expected<evidence::Appended> write(const std::vector<record::RecordDraft>& drafts,
                                             evidence::Seal seal = evidence::Seal::none,
                                             record::LockWait wait = record::LockWait::block);
    util::Expected<void> sync();
    // Parses the private key, off socat's start-up path (OpenSSL's providers take ~1.5 ms).
    util::Expected<void> load_key();
    // Interval checkpoints and heartbeats; see evidence::ChainedLog::tick.
    util::Expected<void> tick();

    // Full capture: appends `bytes` to the payload file `name` in the log directory (created
    // on first use) and returns the offset they start at.
    util::Expected<std::uint64_t> append_payload(const std::string& name, std::string_view bytes);

    bool recording() const { return m_log.has_value(); }
    std::string describe() const;
    std::int64_t tick_interval_ms() const { return m_tick_ms; }
    // One-line messages for the user (a key was created, a damaged log was set aside).
    std::vector<std::string> take_notices();

private:
    AuditTrail(bool fail_open) : m_fail_open(fail_open) {}
    static AuditTrail degraded(const util::Error& error);
    util::Expected<void> guard(util::Expected<void> result);
    void degrade(const util::Error& error);

    bool m_fail_open;
    std::optional<evidence::ChainedLog> m_log;
    evidence::SigningIdentity m_signer;
    util::TrustPolicy m_key_policy{0};
    std::int64_t m_tick_ms = 1000;
    std::vector<std::string> m_notices;
    std::optional<record::LogHandle> m_payload;
};

} // namespace asocat::launch
