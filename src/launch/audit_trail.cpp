#include "launch/audit_trail.hpp"

#include <syslog.h>

#include <cstdio>
#include <sys/utsname.h>

#include "evidence/key_files.hpp"

namespace asocat::launch {
namespace {

bool is_store_uri(const std::string& key) {
    return key.front() != '/';
}

std::string parent_directory(const std::string& path) {
    const auto slash = path.rfind('/');
    return slash == 0 ? "/" : path.substr(0, slash);
}

evidence::EvidenceSettings evidence_settings(const config::EvidenceValues& values) {
    evidence::EvidenceSettings settings;
    if (values.checkpoint_records) {
        settings.checkpoint_records = static_cast<std::uint64_t>(*values.checkpoint_records);
    }
    if (values.checkpoint_interval_ms) {
        settings.checkpoint_interval_ms = *values.checkpoint_interval_ms;
    }
    if (values.heartbeat_interval_ms) {
        settings.heartbeat_interval_ms = *values.heartbeat_interval_ms;
    }
    if (values.rotate_size) {
        settings.rotate_bytes = static_cast<std::uint64_t>(*values.rotate_size);
    }
    return settings;
}

} // namespace

util::Expected<AuditTrail> AuditTrail::open(const config::Settings& settings,
                                            const config::Privilege& privilege,
                                            const std::string& host) {
    AuditTrail trail(settings.fail_open);
    const auto fail = [&](const util::Error& error) -> util::Expected<AuditTrail> {
        if (settings.fail_open) {
            return degraded(error);
        }
        return error;
    };
    trail.m_key_policy = util::TrustPolicy{privilege.euid};
    // The log directory first: a broken log is the more basic failure, so it is the one named.
    auto directory =
        record::LogDirectory::open(settings.log_dir, util::TrustPolicy{privilege.euid}, true);
    if (!directory) {
        return fail(directory.error());
    }
    std::optional<evidence::Ed25519Key> key;
    if (is_store_uri(settings.key)) {
        auto loaded = evidence::load_store_key(
            settings.key, settings.key_name.value_or(evidence::default_key_name()));
        if (!loaded) {
            return fail(loaded.error().with_context("signing key"));
        }
        trail.m_signer = std::move(loaded->first);
        key = std::move(loaded->second);
    } else {
        auto identity = evidence::read_key_identity(settings.key, trail.m_key_policy);
        if (!identity && identity.error().errno_value() == ENOENT && settings.key_is_default) {
            identity = evidence::create_key_files(parent_directory(settings.key),
                                                  evidence::default_key_name(), trail.m_key_policy);
            if (!identity && identity.error().errno_value() == EEXIST) {
                // Another wrapper created it first, just now: use theirs (it is complete).
                identity = evidence::read_key_identity(settings.key, trail.m_key_policy);
            } else if (identity) {
                trail.m_notices.push_back("created signing key " + settings.key +
                                          "; verify logs with its public key " +
                                          parent_directory(settings.key) + "/" +
                                          evidence::kPublicKeyName + " (" + identity->vkey + ")");
            }
        }
        if (!identity) {
            return fail(identity.error());
        }
        trail.m_signer = std::move(*identity);
    }
    const auto tuning = evidence_settings(settings.evidence);
    auto log = evidence::ChainedLog::open(std::move(*directory), trail.m_signer, tuning, host);
    if (!log) {
        return fail(log.error());
    }
    trail.m_log.emplace(std::move(*log));
    if (key) {
        trail.m_log->attach_key(std::move(*key));
    }
    trail.m_tick_ms = std::min(tuning.checkpoint_interval_ms, tuning.heartbeat_interval_ms);
    return trail;
}

AuditTrail AuditTrail::degraded(const util::Error& error) {
    AuditTrail trail(true);
    trail.degrade(error);
    return trail;
}

void AuditTrail::degrade(const util::Error& error) {
    const std::string line = "audited-socat: warning: " + error.describe() +
                             "; running socat without audit records (fail_open = true)";
    std::fprintf(stderr, "%s\n", line.c_str());
    ::openlog("audited-socat", LOG_PID, LOG_AUTHPRIV);
    ::syslog(LOG_WARNING, "%s", line.c_str());
    ::closelog();
    m_log.reset();
}

util::Expected<void> AuditTrail::guard(util::Expected<void> result) {
    if (!result && m_fail_open) {
        degrade(result.error());
        return {};
    }
    return result;
}

std::string AuditTrail::describe() const {
    return m_log ? m_log->active_path() : "(no audit log)";
}

std::vector<std::string> AuditTrail::take_notices() {
    auto notices = std::exchange(m_notices, {});
    if (m_log) {
        for (auto& notice : m_log->take_notices()) {
            notices.push_back(std::move(notice));
        }
    }
    return notices;
}

util::Expected<evidence::Appended> AuditTrail::write(const std::vector<record::RecordDraft>& drafts,
                                                     evidence::Seal seal, record::LockWait wait) {
    if (!m_log) {
        return evidence::Appended::written; // fail_open without a log: nothing is kept
    }
    auto appended = m_log->append(drafts, seal, "session-end", wait);
    if (!appended) {
        if (auto guarded = guard(appended.error()); !guarded) {
            return guarded.error();
        }
        return evidence::Appended::written;
    }
    return appended;
}

util::Expected<void> AuditTrail::sync() {
    // Payload first: a synced record must not name bytes that could still be lost.
    if (m_payload) {
        if (auto synced = guard(record::LogDirectory::sync(*m_payload)); !synced) {
            return synced;
        }
    }
    return m_log ? guard(m_log->sync()) : util::Expected<void>();
}

util::Expected<void> AuditTrail::tick() {
    return m_log ? guard(m_log->tick()) : util::Expected<void>();
}

util::Expected<std::uint64_t> AuditTrail::append_payload(const std::string& name,
                                                         std::string_view bytes) {
    if (!m_log) {
        return std::uint64_t{0}; // fail_open without a log: nothing is kept
    }
    if (!m_payload) {
        auto opened = m_log->directory().open_log(name, true);
        if (!opened) {
            if (auto guarded = guard(opened.error()); !guarded) {
                return guarded.error();
            }
            return std::uint64_t{0};
        }
        m_payload = std::move(*opened);
    }
    const std::uint64_t offset = m_payload->size;
    if (auto appended = record::LogDirectory::append(*m_payload, bytes); !appended) {
        if (auto guarded = guard(appended.error()); !guarded) {
            return guarded.error();
        }
        return std::uint64_t{0};
    }
    return offset;
}

util::Expected<void> AuditTrail::load_key() {
    if (!m_log || m_log->has_key()) {
        return {};
    }
    auto key = evidence::load_private_key(m_signer, m_key_policy);
    if (!key) {
        return guard(key.error());
    }
    m_log->attach_key(std::move(*key));
    return {};
}

} // namespace asocat::launch
