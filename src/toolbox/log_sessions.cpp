#include "toolbox/log_sessions.hpp"

#include <map>
#include <stdexcept>
#include <system_error>

#include "evidence/record_schema.hpp"
#include "evidence/record_view.hpp"
#include "record/json_reader.hpp"
#include "util/line_reader.hpp"

namespace asocat::toolbox {
namespace {

using record::JsonKind;
using record::JsonValue;

// Accessors for records that passed the layout check: kinds are as the layout says, so only
// absence and null need handling.
const JsonValue* member(const JsonValue& object, std::string_view name) {
    const JsonValue* value = object.find(name);
    return value != nullptr && value->kind() != JsonKind::null ? value : nullptr;
}

const JsonValue& need(const JsonValue& object, std::string_view name) {
    const JsonValue* value = member(object, name);
    if (value == nullptr) {
        throw std::logic_error("the layout requires " + std::string(name));
    }
    return *value;
}

std::string text(const JsonValue& object, std::string_view name) {
    return std::string(need(object, name).as_string());
}

std::optional<std::string> optional_text(const JsonValue& object, std::string_view name) {
    const JsonValue* value = member(object, name);
    return value != nullptr ? std::optional(std::string(value->as_string())) : std::nullopt;
}

std::int64_t number(const JsonValue& object, std::string_view name) {
    return need(object, name).as_integer();
}

std::optional<std::int64_t> optional_number(const JsonValue& object, std::string_view name) {
    const JsonValue* value = member(object, name);
    return value != nullptr ? std::optional(value->as_integer()) : std::nullopt;
}

bool flag(const JsonValue& object, std::string_view name) {
    const JsonValue* value = member(object, name);
    return value != nullptr && value->as_bool();
}

std::vector<std::string> texts(const JsonValue& object, std::string_view name) {
    std::vector<std::string> values;
    const JsonValue& array = need(object, name);
    for (std::size_t i = 0; i < array.size(); ++i) {
        values.emplace_back(array.at(i).as_string());
    }
    return values;
}

// An asocat endpoint object as one would write it: 10.0.0.5:8443, [fe80::1]:22, /run/s.sock,
// @abstract, "unnamed" for an unnamed unix socket.
std::optional<std::string> endpoint_text(const JsonValue& object, std::string_view name) {
    const JsonValue* endpoint = member(object, name);
    if (endpoint == nullptr) {
        return std::nullopt;
    }
    const std::string family = text(*endpoint, "family");
    const std::string address = optional_text(*endpoint, "address").value_or("");
    const auto port = optional_number(*endpoint, "port");
    const std::string port_text = port ? ":" + std::to_string(*port) : "";
    if (family == "inet") {
        return address + port_text;
    }
    if (family == "inet6") {
        return "[" + address + "]" + port_text;
    }
    if (family == "unix") {
        if (flag(*endpoint, "abstract")) {
            return "@" + address;
        }
        return address.empty() ? "unnamed" : address;
    }
    if (const auto number = optional_number(*endpoint, "family_number")) {
        return "family " + std::to_string(*number);
    }
    return family;
}

std::optional<util::WallTime> record_time(const JsonValue& root) {
    return util::parse_rfc3339(need(root, "@timestamp").as_string());
}

std::optional<std::string> named_user(const JsonValue& named) {
    return optional_text(named, "name");
}

class Gatherer {
public:
    explicit Gatherer(ShownLog& log) : m_log(log) {}

    void add(const JsonValue& root, std::string_view type, const std::string& where) {
        const JsonValue& asocat = need(root, "asocat");
        const JsonValue* id = member(asocat, "session");
        if (id == nullptr) {
            return; // log.header, checkpoint, log.recovery: about the log, not a session
        }
        ShownSession& s = session(std::string(id->as_string()), where);
        ++s.records;
        if (type == "session.start") {
            s.start = start(root);
        } else if (type == "session.end") {
            s.end = end(root);
        } else if (type == "process.start") {
            const JsonValue& process = need(root, "process");
            ShownProcess& p = this->process(s, number(process, "pid"), true);
            p.parent_pid = number(need(process, "parent"), "pid");
            if (auto executable = optional_text(process, "executable")) {
                p.executable = std::move(executable);
            }
        } else if (type == "process.exec") {
            add_exec(s, root);
        } else if (type == "process.end") {
            const JsonValue& e = need(need(root, "asocat"), "end");
            ShownProcess& p = process(s, number(need(root, "process"), "pid"), false);
            const std::string reason = text(e, "reason");
            p.end = reason == "exited"     ? "exited " + std::to_string(number(e, "exit_code"))
                    : reason == "signaled" ? "killed by " + text(e, "signal")
                                           : std::string("ended");
        } else if (type.substr(0, 7) == "socket.") {
            s.sockets.push_back(socket(root, type.substr(7)));
        } else if (type == "stream.end") {
            s.streams.push_back(stream(root));
        } else if (type == "call.refused") {
            process(s, number(need(root, "process"), "pid"), false)
                .refused_calls.push_back(text(need(asocat, "call"), "name"));
        } else if (type == "capture.end") {
            s.capture_end = capture_end(root);
        }
    }

private:
    ShownSession& session(const std::string& id, const std::string& where) {
        const auto [at, added] = m_index.try_emplace(id, m_log.sessions.size());
        if (added) {
            m_log.sessions.push_back(ShownSession{});
            m_log.sessions.back().id = id;
            m_log.sessions.back().first_record = where;
        }
        return m_log.sessions[at->second];
    }

    // The newest process with `pid`; a process.start for a pid whose process has ended is a
    // new process (pids are reused).
    static ShownProcess& process(ShownSession& s, std::int64_t pid, bool starting) {
        for (auto p = s.processes.rbegin(); p != s.processes.rend(); ++p) {
            if (p->pid == pid && !(starting && p->end)) {
                return *p;
            }
        }
        s.processes.push_back(ShownProcess{});
        s.processes.back().pid = pid;
        return s.processes.back();
    }

    static ShownStart start(const JsonValue& root) {
        ShownStart start;
        start.time = record_time(root);
        start.timestamp = text(root, "@timestamp");
        start.host = text(need(root, "host"), "name");
        const JsonValue& process = need(root, "process");
        start.socat_pid = number(process, "pid");
        start.socat_path = text(process, "executable");
        start.socat_sha256 = text(need(process, "hash"), "sha256");
        start.args = texts(process, "args");
        start.working_directory = optional_text(process, "working_directory");
        const JsonValue& asocat = need(root, "asocat");
        start.privileged = flag(need(asocat, "wrapper"), "privileged");
        start.capture = text(asocat, "capture");
        const JsonValue& kernel = need(need(asocat, "identity"), "kernel");
        start.uid = number(need(kernel, "uid"), "id");
        start.user = named_user(need(kernel, "uid"));
        start.euid = number(need(kernel, "euid"), "id");
        start.effective_user = named_user(need(kernel, "euid"));
        start.loginuid = optional_number(kernel, "loginuid");
        start.tty = optional_text(kernel, "tty");
        const JsonValue& parent = need(kernel, "parent");
        start.parent_pid = number(parent, "pid");
        start.parent_name = optional_text(parent, "name");
        start.parent_executable = optional_text(parent, "executable");
        const JsonValue& identity = need(asocat, "identity");
        if (const JsonValue* claimed = member(identity, "claimed")) {
            start.claims = claims(*claimed);
        }
        if (const JsonValue* attested = member(identity, "attested")) {
            ShownAttestation shown{text(*attested, "status"),
                                   text(*attested, "source"),
                                   optional_text(*attested, "reason"),
                                   {},
                                   {},
                                   {}};
            if (const JsonValue* token = member(*attested, "token")) {
                shown.issuer = optional_text(*token, "issuer");
                shown.subject = optional_text(*token, "subject");
                if (const JsonValue* mfa = member(*token, "mfa")) {
                    shown.mfa = mfa->as_bool();
                }
            }
            start.attested = std::move(shown);
        }
        if (const JsonValue* ticket = member(identity, "ticket")) {
            start.ticket = ShownTicket{text(*ticket, "id"), {}};
            if (const JsonValue* matches = member(*ticket, "matches")) {
                start.ticket->matches = matches->as_bool();
            }
        }
        return start;
    }

    static ShownClaims claims(const JsonValue& claimed) {
        ShownClaims shown;
        if (const JsonValue* sudo = member(claimed, "sudo")) {
            shown.sudo =
                ShownClaims::Sudo{optional_text(*sudo, "user"), optional_number(*sudo, "uid"),
                                  flag(*sudo, "sudo_in_chain")};
        }
        if (const JsonValue* ssh = member(claimed, "ssh")) {
            std::optional<std::string> client;
            if (const JsonValue* end = member(*ssh, "client")) {
                client = optional_text(*end, "address").value_or("?") + " port " +
                         std::to_string(number(*end, "port"));
            }
            shown.ssh =
                ShownClaims::Ssh{client, text(*ssh, "variable"), flag(*ssh, "sshd_in_chain")};
        }
        if (const JsonValue* ci = member(claimed, "ci")) {
            shown.ci = ShownClaims::Ci{text(*ci, "system"), optional_text(*ci, "repository"),
                                       optional_text(*ci, "run"), optional_text(*ci, "actor")};
        }
        return shown;
    }

    static ShownEnd end(const JsonValue& root) {
        ShownEnd end;
        end.time = record_time(root);
        end.timestamp = text(root, "@timestamp");
        end.duration_ns = optional_number(need(root, "event"), "duration");
        const JsonValue& e = need(need(root, "asocat"), "end");
        end.reason = text(e, "reason");
        end.exit_code = optional_number(e, "exit_code");
        end.signal = optional_text(e, "signal");
        end.core_dumped = flag(e, "core_dumped");
        end.error = optional_text(e, "error");
        end.exec_check = text(e, "exec_check");
        end.wrapper_status = number(e, "wrapper_status");
        return end;
    }

    void add_exec(ShownSession& s, const JsonValue& root) {
        const JsonValue& process = need(root, "process");
        const JsonValue& exec = need(need(root, "asocat"), "exec");
        ShownExec shown;
        shown.time = record_time(root);
        shown.path = text(exec, "path");
        shown.executable = optional_text(process, "executable");
        shown.args = texts(process, "args");
        shown.args_truncated = flag(exec, "args_truncated");
        if (const JsonValue* hash = member(process, "hash")) {
            shown.sha256 = text(*hash, "sha256");
        }
        shown.outcome = text(exec, "outcome");
        this->process(s, number(process, "pid"), false).execs.push_back(std::move(shown));
    }

    static ShownSocket socket(const JsonValue& root, std::string_view action) {
        const JsonValue& socket = need(need(root, "asocat"), "socket");
        ShownSocket shown;
        shown.time = record_time(root);
        shown.pid = number(need(root, "process"), "pid");
        shown.fd = number(socket, "fd");
        shown.action = std::string(action);
        shown.transport = text(need(root, "network"), "transport");
        shown.local = endpoint_text(socket, "local");
        shown.peer = endpoint_text(socket, "peer");
        shown.outcome = optional_text(need(root, "event"), "outcome").value_or("unknown");
        shown.error = optional_text(socket, "error");
        shown.accepted_fd = optional_number(socket, "accepted_fd");
        shown.backlog = optional_number(socket, "backlog");
        shown.how = optional_text(socket, "how");
        return shown;
    }

    static ShownDirection direction(const JsonValue& d) {
        return {number(d, "bytes"), number(d, "calls"), optional_text(d, "sha256"), flag(d, "eof")};
    }

    static ShownStream stream(const JsonValue& root) {
        const JsonValue& stream = need(need(root, "asocat"), "stream");
        ShownStream shown;
        shown.time = record_time(root);
        shown.pid = number(need(root, "process"), "pid");
        shown.fd = number(stream, "fd");
        shown.kind = text(stream, "kind");
        shown.path = optional_text(stream, "path");
        shown.local = endpoint_text(stream, "local");
        shown.peer = endpoint_text(stream, "peer");
        shown.reason = text(stream, "reason");
        shown.in = direction(need(stream, "in"));
        shown.out = direction(need(stream, "out"));
        return shown;
    }

    static ShownCaptureEnd capture_end(const JsonValue& root) {
        const JsonValue& c = need(need(root, "asocat"), "capture");
        ShownCaptureEnd shown;
        shown.time = record_time(root);
        shown.level = text(c, "level");
        shown.processes = number(c, "processes");
        shown.streams = number(c, "streams");
        shown.bytes_in = number(c, "bytes_in");
        shown.bytes_out = number(c, "bytes_out");
        shown.refused_calls = number(c, "refused_calls");
        shown.error = optional_text(c, "error");
        return shown;
    }

    ShownLog& m_log;
    std::map<std::string, std::size_t, std::less<>> m_index;
};

// One file, line by line. A line that does not parse is held back: if the next record is a
// log.recovery, the writer found it torn and named it, so it is passed over.
util::Expected<void> read_file(const std::string& file, record::JsonDocument& document,
                               Gatherer& gatherer, ShownLog& log) try {
    util::LineReader lines(file);
    if (auto opened = lines.opened(); !opened) {
        return opened.error();
    }
    std::optional<std::string> torn; // "FILE:LINE: why" of a line that did not parse
    std::uint64_t number = 0;
    while (const auto line = lines.next()) {
        const std::string where = file + ":" + std::to_string(++number);
        const auto parsed = document.parse(*line);
        if (!parsed) {
            if (torn) {
                return util::Error(*torn);
            }
            torn = where + ": not JSON: " + parsed.error().describe();
            continue;
        }
        const auto view = evidence::view_record(parsed.root());
        if (!view) {
            return util::Error(where + ": " + view.error().describe());
        }
        if (torn) {
            if (view->type != "log.recovery") {
                return util::Error(*torn);
            }
            log.notes.push_back(torn->substr(0, torn->find(": not JSON")) +
                                ": passed over a torn line that the next record recovers");
            torn.reset();
        }
        if (auto why = evidence::check_record_shape(parsed.root(), view->type); !why.empty()) {
            return util::Error(where + ": " + why);
        }
        gatherer.add(parsed.root(), view->type, where);
    }
    if (torn) {
        return util::Error(*torn);
    }
    if (!lines.unterminated().empty()) {
        log.notes.push_back(file + ":" + std::to_string(number + 1) + ": passed over " +
                            std::to_string(lines.unterminated().size()) +
                            " bytes without a final newline (a writer died mid-record, or one "
                            "is writing now)");
    }
    return {};
} catch (const std::system_error& error) {
    return util::Error::from_errno("reading " + file, error.code().value());
}

} // namespace

util::Expected<ShownLog> read_sessions(const std::vector<std::string>& files) try {
    ShownLog log;
    Gatherer gatherer(log);
    record::JsonDocument document;
    for (const auto& file : files) {
        if (auto read = read_file(file, document, gatherer, log); !read) {
            return read.error();
        }
    }
    return log;
} catch (const std::runtime_error& error) { // a line longer than any record
    return util::Error(error.what());
}

} // namespace asocat::toolbox
