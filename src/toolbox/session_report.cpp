#include "toolbox/session_report.hpp"

#include <cinttypes>
#include <cstdio>

namespace asocat::toolbox {
namespace {

constexpr std::size_t kHashPrefix = 12; // enough to tell files apart at a glance

std::string hex_escape(const char* format, unsigned value) {
    char buffer[16];
    std::snprintf(buffer, sizeof buffer, format, value);
    return buffer;
}

bool is_bidi_control(std::uint32_t c) {
    return c == 0x061C || c == 0x200E || c == 0x200F || (c >= 0x202A && c <= 0x202E) ||
           (c >= 0x2066 && c <= 0x2069);
}

std::string hash_prefix(const std::optional<std::string>& sha256) {
    return sha256 ? printable(sha256->substr(0, kHashPrefix)) : std::string("-");
}

std::string count(std::int64_t n, const char* one, const char* many) {
    return std::to_string(n) + " " + (n == 1 ? one : many);
}

std::string duration_text(std::int64_t ns) {
    char buffer[64];
    const std::int64_t s = ns / 1000000000;
    if (s < 60) {
        std::snprintf(buffer, sizeof buffer, "%" PRId64 ".%03" PRId64 " s", s,
                      ns % 1000000000 / 1000000);
    } else if (s < 3600) {
        std::snprintf(buffer, sizeof buffer, "%" PRId64 " min %" PRId64 " s", s / 60, s % 60);
    } else if (s < 86400) {
        std::snprintf(buffer, sizeof buffer, "%" PRId64 " h %" PRId64 " min %" PRId64 " s",
                      s / 3600, s % 3600 / 60, s % 60);
    } else {
        std::snprintf(buffer, sizeof buffer, "%" PRId64 " d %" PRId64 " h %" PRId64 " min",
                      s / 86400, s % 86400 / 3600, s % 3600 / 60);
    }
    return buffer;
}

std::optional<std::int64_t> between(const std::optional<util::WallTime>& from,
                                    const std::optional<util::WallTime>& to) {
    if (!from || !to) {
        return std::nullopt;
    }
    return (to->seconds - from->seconds) * 1000000000 + (to->nanoseconds - from->nanoseconds);
}

std::optional<std::int64_t> session_duration(const ShownSession& s) {
    if (!s.end) {
        return std::nullopt;
    }
    if (s.end->duration_ns) {
        return s.end->duration_ns;
    }
    return s.start ? between(s.start->time, s.end->time) : std::nullopt;
}

// When an event happened, as an offset from the session's start ("+1.250 s").
std::string offset(const ShownSession& s, const std::optional<util::WallTime>& time) {
    const auto ns = between(s.start ? s.start->time : std::nullopt, time);
    if (!ns) {
        return "?";
    }
    char buffer[48];
    const std::int64_t magnitude = *ns < 0 ? -*ns : *ns;
    std::snprintf(buffer, sizeof buffer, "%c%" PRId64 ".%03" PRId64 " s", *ns < 0 ? '-' : '+',
                  magnitude / 1000000000, magnitude % 1000000000 / 1000000);
    return buffer;
}

std::string user_text(std::int64_t id, const std::optional<std::string>& name) {
    return name ? printable(*name) + " (uid " + std::to_string(id) + ")"
                : "uid " + std::to_string(id);
}

std::string who(const ShownStart& start) {
    std::string text = user_text(start.uid, start.user);
    if (start.euid != start.uid) {
        text += " as " + user_text(start.euid, start.effective_user);
    }
    text += start.loginuid ? ", loginuid " + std::to_string(*start.loginuid) : ", no loginuid";
    text += start.tty ? ", tty " + printable(*start.tty) : ", no tty";
    if (start.privileged) {
        text += ", privileged";
    }
    return text;
}

// The attested identity and the ticket in one line: who the token says, whose token, whether
// with MFA, and on which ticket; or why the token did not count.
std::string identity_text(const ShownStart& start) {
    std::string text;
    if (const auto& a = start.attested) {
        if (a->status == "verified") {
            text = "attested " + printable(a->subject.value_or("(no subject)")) + " by " +
                   printable(a->issuer.value_or("?")) + ", " +
                   (a->mfa ? (*a->mfa ? "with MFA" : "without MFA") : "MFA unknown");
        } else {
            text =
                "token " + printable(a->status) + " (" + printable(a->reason.value_or("?")) + ")";
            if (a->subject) {
                text += " for " + printable(*a->subject);
            }
        }
        text += " via " + printable(a->source);
    }
    if (const auto& t = start.ticket) {
        text += (text.empty() ? "" : "; ") + std::string("ticket ") + printable(t->id);
        if (t->matches == false) {
            text += " (does not match the pattern)";
        }
    }
    return text;
}

std::string end_text(const ShownEnd& end) {
    std::string text;
    if (end.reason == "exited") {
        text = "exited " + std::to_string(end.exit_code.value_or(0));
    } else if (end.reason == "signaled") {
        text = "killed by " + printable(end.signal.value_or("a signal"));
        if (end.core_dumped) {
            text += " (core dumped)";
        }
    } else {
        text = printable(end.reason);
    }
    if (end.error) {
        text += ": " + printable(*end.error);
    }
    return text;
}

// The claimed identity in one line: what each claim said, and where the kernel's facts do
// not back it ("no sudo above": no sudo process started the wrapper).
std::string claims_text(const ShownClaims& claims) {
    std::vector<std::string> parts;
    if (const auto& sudo = claims.sudo) {
        std::string part = "sudo by " + (sudo->user ? printable(*sudo->user) : "?");
        if (sudo->uid) {
            part += " (uid " + std::to_string(*sudo->uid) + ")";
        }
        parts.push_back(part + (sudo->in_chain ? "" : ", no sudo above"));
    }
    if (const auto& ssh = claims.ssh) {
        std::string part = ssh->client ? "ssh from " + printable(*ssh->client)
                                       : "ssh (malformed " + printable(ssh->variable) + ")";
        parts.push_back(part + (ssh->in_chain ? "" : ", no sshd above"));
    }
    if (const auto& ci = claims.ci) {
        std::string part = printable(ci->system);
        if (ci->repository) {
            part += " " + printable(*ci->repository);
        }
        if (ci->run) {
            part += " run " + printable(*ci->run);
        }
        if (ci->actor) {
            part += " by " + printable(*ci->actor);
        }
        parts.push_back(part);
    }
    std::string text;
    for (const auto& part : parts) {
        text += (text.empty() ? "" : "; ") + part;
    }
    return text;
}

void line(std::string& out, std::string_view label, const std::string& value) {
    out += "  ";
    out += label;
    out.append(label.size() < 14 ? 14 - label.size() : 1, ' ');
    out += value;
    out += '\n';
}

void describe_processes(std::string& out, const ShownSession& s) {
    if (s.processes.empty()) {
        return;
    }
    out += "  processes\n";
    for (const auto& p : s.processes) {
        out += "    pid " + std::to_string(p.pid);
        if (p.parent_pid) {
            out += " (parent " + std::to_string(*p.parent_pid) + ")";
        }
        if (p.executable) {
            out += " " + printable(*p.executable);
        }
        out += ": " + (p.end ? printable(*p.end) : std::string("no end recorded")) + "\n";
        for (const auto& e : p.execs) {
            out += "      " + offset(s, e.time) + " exec " + printable(e.path) + " (";
            if (e.executable) {
                out += printable(*e.executable) + ", ";
            }
            out += (e.sha256 ? "sha256 " + hash_prefix(e.sha256) : "not hashed") + ", " +
                   printable(e.outcome) + "): " + shell_words(e.args) +
                   (e.args_truncated ? " ...(truncated)" : "") + "\n";
        }
        for (const auto& call : p.refused_calls) {
            out += "      refused " + printable(call) + " (ENOSYS)\n";
        }
    }
}

std::string endpoint(const std::optional<std::string>& text) {
    return text ? printable(*text) : std::string("?");
}

void describe_sockets(std::string& out, const ShownSession& s) {
    if (s.sockets.empty()) {
        return;
    }
    out += "  connections\n";
    for (const auto& k : s.sockets) {
        out += "    " + offset(s, k.time) + " pid " + std::to_string(k.pid) + " fd " +
               std::to_string(k.fd) + " " + printable(k.action) + " " + printable(k.transport);
        if (k.action == "connect") {
            out += " " + endpoint(k.local) + " -> " + endpoint(k.peer);
        } else if (k.action == "accept") {
            out += " " + endpoint(k.peer) + " -> " + endpoint(k.local);
        } else if (k.action == "shutdown") {
            out += " " + printable(k.how.value_or("?"));
        } else {
            out += " " + endpoint(k.local);
        }
        if (k.backlog) {
            out += " backlog " + std::to_string(*k.backlog);
        }
        if (k.accepted_fd) {
            out += " as fd " + std::to_string(*k.accepted_fd);
        }
        if (k.outcome != "success") {
            // "unknown" is a non-blocking connect still under way (EINPROGRESS).
            out += k.outcome == "failure" ? ": failed" : ": outcome unknown";
            if (k.error) {
                out += " (" + printable(*k.error) + ")";
            }
        }
        out += "\n";
    }
}

std::string direction_text(const char* name, const ShownDirection& d) {
    if (d.calls == 0 && !d.eof) {
        return std::string(name) + "nothing"; // its digest is the SHA-256 of nothing
    }
    std::string text =
        std::string(name) + std::to_string(d.bytes) + " B in " + count(d.calls, "call", "calls");
    if (d.sha256) {
        text += ", sha256 " + hash_prefix(d.sha256);
    }
    if (d.eof) {
        text += ", eof";
    }
    return text;
}

void describe_streams(std::string& out, const ShownSession& s) {
    if (s.streams.empty()) {
        return;
    }
    out += "  streams\n";
    for (const auto& t : s.streams) {
        out += "    pid " + std::to_string(t.pid) + " fd " + std::to_string(t.fd) + " " +
               printable(t.kind);
        if (t.local || t.peer) {
            out += " " + endpoint(t.local) + " <-> " + endpoint(t.peer);
        }
        if (t.path) {
            out += " " + printable(*t.path);
        }
        out += ", ended by " + printable(t.reason) + "\n";
        out += "      " + direction_text("in  ", t.in) + "\n";
        out += "      " + direction_text("out ", t.out) + "\n";
    }
}

} // namespace

std::string printable(std::string_view text) {
    std::string out;
    out.reserve(text.size());
    for (std::size_t i = 0; i < text.size();) {
        const auto byte = static_cast<unsigned char>(text[i]);
        if (byte < 0x20 || byte == 0x7f) {
            out += hex_escape("\\x%02x", byte);
            ++i;
            continue;
        }
        if (byte < 0x80) {
            out += static_cast<char>(byte);
            ++i;
            continue;
        }
        // A multi-byte sequence (valid: the strict reader decoded it): find its code point.
        const std::size_t length = byte >= 0xf0 ? 4 : byte >= 0xe0 ? 3 : 2;
        std::uint32_t c = byte & (0x7f >> length);
        for (std::size_t k = 1; k < length && i + k < text.size(); ++k) {
            c = (c << 6) | (static_cast<unsigned char>(text[i + k]) & 0x3f);
        }
        if ((c >= 0x80 && c <= 0x9f) || is_bidi_control(c)) {
            out += hex_escape("\\u{%04x}", c);
        } else {
            out.append(text.substr(i, length));
        }
        i += length;
    }
    return out;
}

std::string shell_words(const std::vector<std::string>& args) {
    std::string out;
    for (const auto& arg : args) {
        if (!out.empty()) {
            out += ' ';
        }
        const bool bare = !arg.empty() && arg.find_first_not_of(
                                              "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ"
                                              "0123456789_@%+=:,./-") == std::string::npos;
        if (bare) {
            out += arg;
            continue;
        }
        out += '\'';
        for (const char c : arg) {
            out += c == '\'' ? std::string("'\\''") : std::string(1, c);
        }
        out += '\'';
    }
    return printable(out);
}

std::string describe_session(const ShownSession& s) {
    std::string out = "session " + printable(s.id) + "\n";
    line(out, "records",
         count(static_cast<std::int64_t>(s.records), "record", "records") + ", the first at " +
             printable(s.first_record));
    if (s.start) {
        const auto& st = *s.start;
        line(out, "who", who(st));
        if (const auto claimed = claims_text(st.claims); !claimed.empty()) {
            line(out, "claims", claimed);
        }
        if (const auto identity = identity_text(st); !identity.empty()) {
            line(out, "identity", identity);
        }
        std::string parent = "pid " + std::to_string(st.parent_pid);
        if (st.parent_name) {
            parent = printable(*st.parent_name) + " (" + parent;
            parent += st.parent_executable ? ", " + printable(*st.parent_executable) + ")" : ")";
        }
        line(out, "started from", parent);
        line(out, "host", printable(st.host));
        const auto duration = session_duration(s);
        line(out, "when",
             printable(st.timestamp) + (duration ? ", for " + duration_text(*duration) : ""));
        line(out, "socat",
             "pid " + std::to_string(st.socat_pid) + ", " + printable(st.socat_path) + " (sha256 " +
                 hash_prefix(st.socat_sha256) + ")");
        line(out, "command", shell_words(st.args));
        if (st.working_directory) {
            line(out, "directory", printable(*st.working_directory));
        }
        line(out, "capture", printable(st.capture));
    } else {
        line(out, "start", "not in these files (an earlier, rotated file may hold it)");
    }
    describe_processes(out, s);
    describe_sockets(out, s);
    describe_streams(out, s);
    if (s.end) {
        line(out, "end",
             end_text(*s.end) + " (wrapper status " + std::to_string(s.end->wrapper_status) +
                 ", exec check " + printable(s.end->exec_check) + ")");
    } else {
        line(out, "end", "not recorded (still running, or the wrapper was killed)");
    }
    if (s.capture_end) {
        const auto& c = *s.capture_end;
        line(out, "capture end",
             count(c.processes, "process", "processes") + ", " +
                 count(c.streams, "stream", "streams") + ", " + std::to_string(c.bytes_in) +
                 " B in, " + std::to_string(c.bytes_out) + " B out, " +
                 count(c.refused_calls, "refused call", "refused calls") +
                 (c.error ? "; stopped early: " + printable(*c.error) : ""));
    } else if (s.start && s.start->capture != "off") {
        line(out, "capture end", "not recorded (the supervisor may still be running)");
    }
    return out;
}

std::string session_line(const ShownSession& s) {
    std::string out = printable(s.id) + "  ";
    if (!s.start) {
        return out + "(start not in these files)";
    }
    const auto& st = *s.start;
    out += printable(st.timestamp.substr(0, 19)) + "Z  ";
    out += st.user ? printable(*st.user) : "uid " + std::to_string(st.uid);
    const auto duration = session_duration(s);
    out += "  " + (duration ? duration_text(*duration) : std::string("-"));
    out += "  " + (s.end ? end_text(*s.end) : std::string("no end"));
    out += "  " + shell_words(st.args);
    return out;
}

} // namespace asocat::toolbox
