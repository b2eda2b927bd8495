#include "record/session_records.hpp"

#include <memory>

#include "record/json_reader.hpp"
#include "record/json_writer.hpp"
#include "record/raw_fields.hpp"
#include "record/record_members.hpp"
#include "session/capture_level.hpp"
#include "util/signals.hpp"

namespace asocat::record {
namespace {

using session::EndReason;
using session::ExecCheck;

// The session records' event head; "event" is left open for start/end/duration.
void begin_session_event(JsonWriter& w, const char* action, const char* type,
                         const char* outcome = nullptr) {
    begin_event(
        w, {"event", {"session", "process"}, {type}, action, outcome, "audited_socat.session"});
}

// ECS user/group objects: ids are strings there, names are optional.
void write_ecs_named(JsonWriter& w, const session::NamedId& named) {
    w.key("id").text(std::to_string(named.id));
    if (named.name) {
        w.key("name").text_lossy(*named.name);
    }
}

// Our kernel-tier view: numeric ids, names or null.
void write_named(JsonWriter& w, const session::NamedId& named) {
    w.begin_object().key("id").integer(named.id).key("name");
    if (named.name) {
        w.text_lossy(*named.name);
    } else {
        w.null();
    }
    w.end_object();
}

void write_optional_integer(JsonWriter& w, const char* key,
                            const std::optional<std::uint32_t>& value) {
    w.key(key);
    if (value) {
        w.integer(*value);
    } else {
        w.null();
    }
}

// {"pid", "executable", "name", "args"} of a process seen through /proc; `field` prefixes the
// members' names in asocat.raw.
void write_process_snapshot(JsonWriter& w, RawFields& raw, const std::string& field,
                            const session::ProcessSnapshot& process) {
    w.begin_object();
    w.key("pid").integer(process.pid);
    write_optional_text(w, raw, "executable", (field + ".executable").c_str(), process.executable);
    write_optional_text(w, raw, "name", (field + ".name").c_str(), process.name);
    write_text_array(w, raw, "args", (field + ".args").c_str(), process.args);
    if (process.args_truncated) {
        w.key("args_truncated").boolean(true);
    }
    w.end_object();
}

void write_kernel_identity(JsonWriter& w, RawFields& raw, const session::KernelIdentity& id) {
    w.key("kernel").begin_object();
    w.key("uid");
    write_named(w, id.uid);
    w.key("euid");
    write_named(w, id.euid);
    w.key("gid");
    write_named(w, id.gid);
    w.key("egid");
    write_named(w, id.egid);
    w.key("groups").begin_array();
    for (const auto& group : id.groups) {
        write_named(w, group);
    }
    w.end_array();
    write_optional_integer(w, "loginuid", id.loginuid);
    write_optional_integer(w, "audit_session", id.audit_session);
    write_optional_text(w, raw, "tty", "asocat.identity.kernel.tty", id.tty);
    w.key("parent");
    write_process_snapshot(w, raw, "asocat.identity.kernel.parent", id.parent);
    w.key("ancestors").begin_array();
    for (std::size_t i = 0; i < id.ancestors.size(); ++i) {
        write_process_snapshot(w, raw, "asocat.identity.kernel.ancestors." + std::to_string(i),
                               id.ancestors[i]);
    }
    w.end_array();
    w.key("session_leader").integer(id.session_leader);
    write_optional_text(w, raw, "cgroup", "asocat.identity.kernel.cgroup", id.cgroup);
    write_optional_text(w, raw, "systemd_unit", "asocat.identity.kernel.systemd_unit",
                        id.systemd_unit);
    write_optional_text(w, raw, "machine_id", "asocat.identity.kernel.machine_id", id.machine_id);
    write_optional_text(w, raw, "boot_id", "asocat.identity.kernel.boot_id", id.boot_id);
    w.end_object();
}

// `key`: null, or what `write` makes of the value.
template <typename T, typename Write>
void write_or_null(JsonWriter& w, const char* key, const std::optional<T>& value, Write write) {
    w.key(key);
    if (value) {
        write(*value);
    } else {
        w.null();
    }
}

// {"address": S or null, "port": N}, or null.
void write_endpoint(JsonWriter& w, RawFields& raw, const char* key, const char* field,
                    const std::optional<session::NetworkEndpoint>& endpoint) {
    write_or_null(w, key, endpoint, [&](const session::NetworkEndpoint& end) {
        w.begin_object();
        write_optional_text(w, raw, "address", field, end.address);
        w.key("port").integer(end.port);
        w.end_object();
    });
}

void write_claimed_identity(JsonWriter& w, RawFields& raw, const session::ClaimedIdentity& id) {
    w.key("claimed").begin_object();
    write_or_null(w, "sudo", id.sudo, [&](const session::SudoClaim& sudo) {
        w.begin_object();
        write_optional_text(w, raw, "user", "asocat.identity.claimed.sudo.user", sudo.user);
        write_optional_integer(w, "uid", sudo.uid);
        write_optional_integer(w, "gid", sudo.gid);
        write_optional_text(w, raw, "command", "asocat.identity.claimed.sudo.command",
                            sudo.command);
        w.key("sudo_in_chain").boolean(sudo.sudo_in_chain);
        write_or_null(w, "uid_is_loginuid", sudo.uid_is_loginuid, [&](bool is) { w.boolean(is); });
        w.end_object();
    });
    write_or_null(w, "ssh", id.ssh, [&](const session::SshClaim& ssh) {
        w.begin_object();
        w.key("variable").text(ssh.variable);
        w.key("value");
        raw.text(w, "asocat.identity.claimed.ssh.value", ssh.value);
        w.key("well_formed").boolean(ssh.well_formed);
        write_endpoint(w, raw, "client", "asocat.identity.claimed.ssh.client.address", ssh.client);
        write_endpoint(w, raw, "server", "asocat.identity.claimed.ssh.server.address", ssh.server);
        w.key("sshd_in_chain").boolean(ssh.sshd_in_chain);
        w.end_object();
    });
    write_or_null(w, "ci", id.ci, [&](const session::CiClaim& ci) {
        w.begin_object();
        w.key("system").text(ci.system);
        write_optional_text(w, raw, "repository", "asocat.identity.claimed.ci.repository",
                            ci.repository);
        write_optional_text(w, raw, "ref", "asocat.identity.claimed.ci.ref", ci.ref);
        write_optional_text(w, raw, "actor", "asocat.identity.claimed.ci.actor", ci.actor);
        write_optional_text(w, raw, "job", "asocat.identity.claimed.ci.job", ci.job);
        write_optional_text(w, raw, "run", "asocat.identity.claimed.ci.run", ci.run);
        write_optional_text(w, raw, "url", "asocat.identity.claimed.ci.url", ci.url);
        w.end_object();
    });
    w.key("truncated").begin_array();
    for (const auto& name : id.truncated) {
        w.text(name);
    }
    w.end_array();
    w.end_object();
}

const char* attestation_status_name(session::AttestationStatus status) {
    switch (status) {
    case session::AttestationStatus::verified:
        return "verified";
    case session::AttestationStatus::rejected:
        return "rejected";
    case session::AttestationStatus::unavailable:
        return "unavailable";
    }
    return "unknown";
}

void write_optional_string(JsonWriter& w, const char* key, const std::optional<std::string>& text) {
    write_or_null(w, key, text, [&](const std::string& value) { w.text(value); });
}

// What a token whose signature verified says (strings from a strict JSON parse: UTF-8).
void write_token_facts(JsonWriter& w, const session::AttestedIdentity& a) {
    w.key("token").begin_object();
    w.key("issuer").text(a.issuer);
    write_optional_string(w, "subject", a.subject);
    w.key("audience").text(a.audience);
    w.key("algorithm").text(a.algorithm);
    write_optional_string(w, "kid", a.kid);
    w.key("expires").integer(a.expires);
    write_or_null(w, "issued_at", a.issued_at, [&](std::int64_t at) { w.integer(at); });
    write_or_null(w, "mfa", a.mfa, [&](bool mfa) { w.boolean(mfa); });
    w.key("amr").begin_array();
    for (const auto& method : a.amr) {
        w.text(method);
    }
    w.end_array();
    write_optional_string(w, "acr", a.acr);
    JsonDocument claims;
    const auto parsed = claims.parse(a.claims);
    w.key("claims");
    if (parsed) {
        write_value(w, parsed.root());
    } else {
        w.null(); // cannot happen: the claims are the canonical form of a parsed object
    }
    w.end_object();
}

// `key`: null, or a token's fate; `field` prefixes its members' names in asocat.raw.
void write_attestation(JsonWriter& w, RawFields& raw, const char* key, const std::string& field,
                       const std::optional<session::AttestedIdentity>& attested) {
    write_or_null(w, key, attested, [&](const session::AttestedIdentity& a) {
        w.begin_object();
        w.key("status").text(attestation_status_name(a.status));
        w.key("source").text(a.source);
        write_optional_text(w, raw, "location", (field + ".location").c_str(), a.location);
        write_optional_string(w, "reason", a.reason);
        write_optional_text(w, raw, "detail", (field + ".detail").c_str(), a.detail);
        write_optional_string(w, "token_sha256", a.token_sha256);
        if (!a.claims.empty()) {
            write_token_facts(w, a);
        } else {
            w.key("token").null();
        }
        w.key("binding").begin_array();
        for (const auto& check : a.binding) {
            w.begin_object();
            w.key("fact").text(check.fact);
            w.key("claim").text(check.claim);
            write_optional_text(w, raw, "actual", (field + ".binding.actual").c_str(),
                                check.actual);
            w.key("matched").boolean(check.matched);
            w.end_object();
        }
        w.end_array();
        w.end_object();
    });
}

void write_ticket(JsonWriter& w, RawFields& raw, const std::optional<session::Ticket>& ticket) {
    write_or_null(w, "ticket", ticket, [&](const session::Ticket& t) {
        w.begin_object();
        w.key("id");
        raw.text(w, "asocat.identity.ticket.id", t.id);
        w.key("truncated").boolean(t.truncated);
        w.key("source").text(t.source);
        write_optional_string(w, "pattern", t.pattern);
        write_or_null(w, "matches", t.matches, [&](bool matches) { w.boolean(matches); });
        write_attestation(w, raw, "approval", "asocat.identity.ticket.approval", t.approval);
        w.end_object();
    });
}

const char* end_reason_name(EndReason reason) {
    switch (reason) {
    case EndReason::exited:
        return "exited";
    case EndReason::signaled:
        return "signaled";
    case EndReason::exec_failed:
        return "exec-failed";
    case EndReason::audit_failed:
        return "audit-failed";
    case EndReason::identity_refused:
        return "identity-refused";
    }
    return "unknown";
}

const char* exec_check_name(ExecCheck check) {
    switch (check) {
    case ExecCheck::matched:
        return "matched";
    case ExecCheck::mismatched:
        return "mismatched";
    case ExecCheck::not_checked:
        return "not-checked";
    }
    return "unknown";
}

} // namespace

RecordDraft session_start_record(session::SessionStart start) {
    const util::WallTime time = start.time;
    auto facts = std::make_shared<const session::SessionStart>(std::move(start));
    return RecordDraft(
        time,
        [facts](JsonWriter& w, RawFields& raw) {
            const auto& s = *facts;
            begin_session_event(w, "session-start", "start");
            w.key("start").text(util::rfc3339(s.time));
            w.end_object();

            w.key("host").begin_object().key("name");
            raw.text(w, "host.name", s.host_name);
            w.end_object();

            w.key("process").begin_object();
            w.key("pid").integer(s.socat_pid);
            w.key("name").text("socat");
            w.key("executable");
            raw.text(w, "process.executable", s.socat.path);
            write_text_array(w, raw, "args", "process.args", s.args);
            w.key("args_count").integer(static_cast<std::int64_t>(s.args.size()));
            write_optional_text(w, raw, "working_directory", "process.working_directory",
                                s.working_directory);
            w.key("hash").begin_object().key("sha256").text(s.socat.sha256).end_object();
            w.key("parent").begin_object();
            w.key("pid").integer(s.wrapper.pid);
            w.key("name").text("audited-socat");
            write_optional_text(w, raw, "executable", "process.parent.executable",
                                s.wrapper.executable);
            w.end_object();
            w.end_object();

            w.key("user").begin_object();
            write_ecs_named(w, s.identity.uid);
            w.key("effective").begin_object();
            write_ecs_named(w, s.identity.euid);
            w.end_object();
            w.end_object();
            w.key("group").begin_object();
            write_ecs_named(w, s.identity.gid);
            w.end_object();
        },
        [facts](JsonWriter& w, RawFields& raw) {
            const auto& s = *facts;
            w.key("type").text("session.start");
            w.key("session").text(s.id);
            w.key("wrapper").begin_object();
            w.key("version").text(s.wrapper.version);
            w.key("privileged").boolean(s.wrapper.privileged);
            w.end_object();
            w.key("settings").begin_object();
            write_text_array(w, raw, "config_files", "asocat.settings.config_files",
                             s.settings.config_files);
            write_text_array(w, raw, "environment", "asocat.settings.environment",
                             s.settings.environment);
            w.key("log");
            raw.text(w, "asocat.settings.log", s.settings.log_path);
            w.key("fail_open").boolean(s.settings.fail_open);
            w.key("socat_source").text(s.settings.socat_source);
            w.end_object();
            w.key("capture").text(session::capture_level_name(s.capture));
            w.key("identity").begin_object();
            write_kernel_identity(w, raw, s.identity);
            write_claimed_identity(w, raw, s.claimed);
            write_attestation(w, raw, "attested", "asocat.identity.attested", s.attested);
            write_ticket(w, raw, s.ticket);
            w.end_object();
        });
}

RecordDraft session_end_record(session::SessionEnd end) {
    const util::WallTime time = end.end;
    auto facts = std::make_shared<const session::SessionEnd>(std::move(end));
    return RecordDraft(
        time,
        [facts](JsonWriter& w, RawFields&) {
            const auto& e = *facts;
            const bool success = e.reason == EndReason::exited && e.exit_code == 0;
            begin_session_event(w, "session-end", "end", success ? "success" : "failure");
            w.key("start").text(util::rfc3339(e.start));
            w.key("end").text(util::rfc3339(e.end));
            // ECS durations are nanoseconds; past ~104 days that leaves I-JSON's exact range,
            // and the start/end pair above still tells the length.
            if (e.duration_ns <= kMaxExactInteger) {
                w.key("duration").integer(e.duration_ns);
            }
            w.end_object();

            w.key("process").begin_object();
            w.key("pid").integer(e.socat_pid);
            if (e.reason == EndReason::exited) {
                w.key("exit_code").integer(e.exit_code);
            }
            w.end_object();
        },
        [facts](JsonWriter& w, RawFields& raw) {
            const auto& e = *facts;
            w.key("type").text("session.end");
            w.key("session").text(e.id);
            w.key("end").begin_object();
            w.key("reason").text(end_reason_name(e.reason));
            if (e.reason == EndReason::exited) {
                w.key("exit_code").integer(e.exit_code);
            }
            if (e.reason == EndReason::signaled) {
                w.key("signal").text(util::signal_name(e.signal));
                w.key("signal_number").integer(e.signal);
                w.key("core_dumped").boolean(e.core_dumped);
            }
            if (e.error) {
                w.key("error");
                raw.text(w, "asocat.end.error", *e.error);
            }
            w.key("exec_check").text(exec_check_name(e.exec_check));
            w.key("wrapper_status").integer(e.wrapper_status);
            w.end_object();
        });
}

} // namespace asocat::record
