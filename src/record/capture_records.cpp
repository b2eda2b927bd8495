#include "record/capture_records.hpp"

#include <cerrno>
#include <memory>
#include <string>
#include <sys/socket.h>

#include "record/json_writer.hpp"
#include "record/raw_fields.hpp"
#include "record/record_members.hpp"
#include "session/capture_level.hpp"
#include "util/error.hpp"
#include "util/signals.hpp"

namespace asocat::record {
namespace {

using session::Endpoint;
using session::ExecOutcome;
using session::SocketAction;
using session::StreamEndReason;

constexpr const char* kDataset = "audited_socat.capture";

// A draft whose asocat members start with the record type and the session, like the session
// records'; `top` and `own` write the rest from the shared facts.
template <class Facts, class Top, class Own>
RecordDraft capture_draft(const char* type, Facts facts, Top top, Own own) {
    const util::WallTime time = facts.time;
    auto shared = std::make_shared<const Facts>(std::move(facts));
    return RecordDraft(
        time, [shared, top](JsonWriter& w, RawFields& raw) { top(w, raw, *shared); },
        [shared, own, type](JsonWriter& w, RawFields& raw) {
            w.key("type").text(type);
            w.key("session").text(shared->session);
            own(w, raw, *shared);
        });
}

void write_event(JsonWriter& w, const EventHead& head) {
    begin_event(w, head);
    w.end_object();
}

// Counters are unsigned 64-bit; a record carries at most I-JSON's exact range, where they
// saturate (2^53-1 bytes is about ten days at 10 GB/s).
void write_count(JsonWriter& w, const char* key, std::uint64_t value) {
    constexpr auto kMax = static_cast<std::uint64_t>(kMaxExactInteger);
    w.key(key).integer(static_cast<std::int64_t>(value < kMax ? value : kMax));
}

void write_process_pid(JsonWriter& w, pid_t pid) {
    w.key("process").begin_object().key("pid").integer(pid).end_object();
}

// Our view of an address: everything the call passed, nothing resolved.
void write_endpoint(JsonWriter& w, RawFields& raw, const char* key, const std::string& field,
                    const Endpoint& e) {
    w.key(key).begin_object();
    w.key("family").text_lossy(e.family);
    const bool addressed = e.family == "inet" || e.family == "inet6" || e.family == "unix";
    if (addressed || !e.address.empty()) {
        w.key("address");
        raw.text(w, field + ".address", e.address);
    }
    if (e.port) {
        w.key("port").integer(*e.port);
    }
    if (e.family == "unix") {
        w.key("abstract").boolean(e.abstract);
    }
    if (e.family_number) {
        w.key("family_number").integer(*e.family_number);
    }
    w.end_object();
}

void write_optional_endpoint(JsonWriter& w, RawFields& raw, const char* key,
                             const std::string& field, const std::optional<Endpoint>& e) {
    if (e) {
        write_endpoint(w, raw, key, field, *e);
    }
}

// ECS source/destination/server: address (an IP, a unix path, or "@name" for the abstract
// namespace), ip and port. Left out when the endpoint has none of them (an unnamed socket).
void write_ecs_endpoint(JsonWriter& w, RawFields& raw, const char* key,
                        const std::optional<Endpoint>& e) {
    if (!e) {
        return;
    }
    const bool ip = e->family == "inet" || e->family == "inet6";
    const std::string address = e->abstract ? "@" + e->address : e->address;
    if (address.empty() && !e->port) {
        return;
    }
    w.key(key).begin_object();
    if (!address.empty()) {
        w.key("address");
        raw.text(w, std::string(key) + ".address", address);
    }
    if (ip && !e->address.empty()) {
        w.key("ip").text_lossy(e->address);
    }
    if (e->port) {
        w.key("port").integer(*e->port);
    }
    w.end_object();
}

const char* network_type(const std::optional<Endpoint>& a, const std::optional<Endpoint>& b) {
    for (const auto* e : {&a, &b}) {
        if (*e && (*e)->family == "inet") {
            return "ipv4";
        }
        if (*e && (*e)->family == "inet6") {
            return "ipv6";
        }
    }
    return nullptr;
}

void write_network(JsonWriter& w, const std::string& transport, const std::optional<Endpoint>& a,
                   const std::optional<Endpoint>& b) {
    w.key("network").begin_object();
    w.key("transport").text_lossy(transport);
    if (const char* type = network_type(a, b)) {
        w.key("type").text(type);
    }
    w.end_object();
}

const char* exec_outcome_name(ExecOutcome outcome) {
    switch (outcome) {
    case ExecOutcome::confirmed:
        return "confirmed";
    case ExecOutcome::failed:
        return "failed";
    case ExecOutcome::mismatch:
        return "mismatch";
    case ExecOutcome::unknown:
        return "unknown";
    }
    return "unknown";
}

// event.outcome is the call's: a mismatched exec did happen (asocat.exec.outcome says what ran).
const char* exec_event_outcome(ExecOutcome outcome) {
    switch (outcome) {
    case ExecOutcome::confirmed:
    case ExecOutcome::mismatch:
        return "success";
    case ExecOutcome::failed:
        return "failure";
    case ExecOutcome::unknown:
        return "unknown";
    }
    return "unknown";
}

struct SocketNames {
    const char* type;        // asocat.type
    const char* action;      // event.action
    const char* event_type;  // event.type, first
    const char* event_type2; // and second, or nullptr
};

SocketNames socket_names(SocketAction action) {
    switch (action) {
    case SocketAction::bind:
        return {"socket.bind", "socket-bind", "info", nullptr};
    case SocketAction::listen:
        return {"socket.listen", "socket-listen", "start", nullptr};
    case SocketAction::connect:
        return {"socket.connect", "socket-connect", "connection", "start"};
    case SocketAction::accept:
        return {"socket.accept", "socket-accept", "connection", "start"};
    case SocketAction::shutdown:
        break;
    }
    return {"socket.shutdown", "socket-shutdown", "connection", "end"};
}

// A non-blocking connect that is still under way is neither a success nor a failure yet.
const char* socket_outcome(const session::SocketEvent& e) {
    if (e.success) {
        return "success";
    }
    return e.error == EINPROGRESS ? "unknown" : "failure";
}

std::string shutdown_how_name(int how) {
    switch (how) {
    case SHUT_RD:
        return "SHUT_RD";
    case SHUT_WR:
        return "SHUT_WR";
    case SHUT_RDWR:
        return "SHUT_RDWR";
    default:
        return std::to_string(how);
    }
}

const char* stream_end_reason_name(StreamEndReason reason) {
    switch (reason) {
    case StreamEndReason::close:
        return "close";
    case StreamEndReason::dup2:
        return "dup2";
    case StreamEndReason::close_range:
        return "close-range";
    case StreamEndReason::exec:
        return "exec";
    case StreamEndReason::exit:
        return "exit";
    case StreamEndReason::supervisor_end:
        return "supervisor-end";
    }
    return "unknown";
}

bool is_socket_kind(const std::string& kind) {
    return kind == "tcp" || kind == "udp" || kind == "unix" || kind == "socket";
}

void write_direction(JsonWriter& w, const char* key, const session::StreamDirection& d) {
    w.key(key).begin_object();
    write_count(w, "bytes", d.bytes);
    write_count(w, "calls", d.calls);
    if (d.sha256) {
        w.key("sha256").text_lossy(*d.sha256);
    }
    w.key("eof").boolean(d.eof);
    if (d.first) {
        w.key("first").text(util::rfc3339(*d.first));
    }
    if (d.last) {
        w.key("last").text(util::rfc3339(*d.last));
    }
    w.end_object();
}

} // namespace

RecordDraft process_start_record(session::ProcessStart start) {
    return capture_draft(
        "process.start", std::move(start),
        [](JsonWriter& w, RawFields& raw, const session::ProcessStart& p) {
            write_event(w, {"event", {"process"}, {"start"}, "process-start", nullptr, kDataset});
            w.key("process").begin_object();
            w.key("pid").integer(p.pid);
            write_optional_text(w, raw, "executable", "process.executable", p.executable);
            w.key("parent").begin_object().key("pid").integer(p.parent_pid).end_object();
            w.end_object();
        },
        [](JsonWriter&, RawFields&, const session::ProcessStart&) {});
}

RecordDraft process_exec_record(session::ProcessExec exec) {
    return capture_draft(
        "process.exec", std::move(exec),
        [](JsonWriter& w, RawFields& raw, const session::ProcessExec& e) {
            write_event(w, {"event",
                            {"process"},
                            {"start"},
                            "process-exec",
                            exec_event_outcome(e.outcome),
                            kDataset});
            w.key("process").begin_object();
            w.key("pid").integer(e.pid);
            write_optional_text(w, raw, "executable", "process.executable", e.executable);
            write_text_array(w, raw, "args", "process.args", e.args);
            w.key("args_count").integer(static_cast<std::int64_t>(e.args.size()));
            if (e.sha256) {
                w.key("hash").begin_object().key("sha256");
                w.text_lossy(*e.sha256);
                w.end_object();
            }
            w.end_object();
        },
        [](JsonWriter& w, RawFields& raw, const session::ProcessExec& e) {
            w.key("exec").begin_object();
            w.key("path");
            raw.text(w, "asocat.exec.path", e.path);
            w.key("outcome").text(exec_outcome_name(e.outcome));
            w.key("args_truncated").boolean(e.args_truncated);
            w.end_object();
        });
}

RecordDraft process_end_record(session::ProcessEnd end) {
    return capture_draft(
        "process.end", std::move(end),
        [](JsonWriter& w, RawFields&, const session::ProcessEnd& e) {
            const char* outcome = e.exit_code ? (*e.exit_code == 0 ? "success" : "failure")
                                  : e.signal  ? "failure"
                                              : "unknown";
            write_event(w, {"event", {"process"}, {"end"}, "process-end", outcome, kDataset});
            w.key("process").begin_object();
            w.key("pid").integer(e.pid);
            if (e.exit_code) {
                w.key("exit_code").integer(*e.exit_code);
            }
            w.end_object();
        },
        [](JsonWriter& w, RawFields&, const session::ProcessEnd& e) {
            w.key("end").begin_object();
            w.key("reason").text(e.exit_code ? "exited" : e.signal ? "signaled" : "unknown");
            if (e.exit_code) {
                w.key("exit_code").integer(*e.exit_code);
            }
            if (e.signal) {
                w.key("signal").text(util::signal_name(*e.signal));
                w.key("signal_number").integer(*e.signal);
            }
            w.end_object();
        });
}

RecordDraft socket_event_record(session::SocketEvent event) {
    const SocketNames names = socket_names(event.action);
    return capture_draft(
        names.type, std::move(event),
        [](JsonWriter& w, RawFields& raw, const session::SocketEvent& e) {
            const SocketNames n = socket_names(e.action);
            if (n.event_type2 != nullptr) {
                write_event(w, {"event",
                                {"network"},
                                {n.event_type, n.event_type2},
                                n.action,
                                socket_outcome(e),
                                kDataset});
            } else {
                write_event(
                    w,
                    {"event", {"network"}, {n.event_type}, n.action, socket_outcome(e), kDataset});
            }
            write_process_pid(w, e.pid);
            switch (e.action) {
            case SocketAction::connect: // we initiated: we are the source
                write_ecs_endpoint(w, raw, "source", e.local);
                write_ecs_endpoint(w, raw, "destination", e.peer);
                break;
            case SocketAction::accept: // the peer initiated
                write_ecs_endpoint(w, raw, "source", e.peer);
                write_ecs_endpoint(w, raw, "destination", e.local);
                break;
            case SocketAction::bind:
            case SocketAction::listen:
                write_ecs_endpoint(w, raw, "server", e.local);
                break;
            case SocketAction::shutdown: // either side may have initiated: asocat.socket only
                break;
            }
            write_network(w, e.transport, e.local, e.peer);
        },
        [](JsonWriter& w, RawFields& raw, const session::SocketEvent& e) {
            w.key("socket").begin_object();
            w.key("fd").integer(e.fd);
            write_optional_endpoint(w, raw, "local", "asocat.socket.local", e.local);
            write_optional_endpoint(w, raw, "peer", "asocat.socket.peer", e.peer);
            if (e.error) {
                w.key("error").text(util::errno_name(*e.error));
                w.key("error_number").integer(*e.error);
            }
            if (e.accepted_fd) {
                w.key("accepted_fd").integer(*e.accepted_fd);
            }
            if (e.backlog) {
                w.key("backlog").integer(*e.backlog);
            }
            if (e.how) {
                w.key("how").text(shutdown_how_name(*e.how));
            }
            w.end_object();
        });
}

RecordDraft stream_end_record(session::StreamEnd stream) {
    return capture_draft(
        "stream.end", std::move(stream),
        [](JsonWriter& w, RawFields&, const session::StreamEnd& s) {
            // ECS allows "end" for network events and "access" for file ones.
            const bool socket = is_socket_kind(s.kind);
            write_event(w, {"event",
                            {socket ? "network" : "file"},
                            {socket ? "end" : "access"},
                            "stream-end",
                            nullptr,
                            kDataset});
            write_process_pid(w, s.pid);
        },
        [](JsonWriter& w, RawFields& raw, const session::StreamEnd& s) {
            w.key("stream").begin_object();
            w.key("fd").integer(s.fd);
            w.key("kind").text_lossy(s.kind);
            if (s.path) {
                w.key("path");
                raw.text(w, "asocat.stream.path", *s.path);
            }
            write_optional_endpoint(w, raw, "local", "asocat.stream.local", s.local);
            write_optional_endpoint(w, raw, "peer", "asocat.stream.peer", s.peer);
            w.key("reason").text(stream_end_reason_name(s.reason));
            write_direction(w, "in", s.in);
            write_direction(w, "out", s.out);
            w.end_object();
        });
}

RecordDraft refused_call_record(session::RefusedCall call) {
    return capture_draft(
        "call.refused", std::move(call),
        [](JsonWriter& w, RawFields&, const session::RefusedCall& c) {
            write_event(w, {"event", {"process"}, {"info"}, "call-refused", "failure", kDataset});
            write_process_pid(w, c.pid);
        },
        [](JsonWriter& w, RawFields& raw, const session::RefusedCall& c) {
            w.key("call").begin_object();
            w.key("name");
            raw.text(w, "asocat.call.name", c.syscall);
            w.key("error").text(util::errno_name(ENOSYS));
            w.end_object();
        });
}

RecordDraft capture_end_record(session::CaptureEnd end) {
    return capture_draft(
        "capture.end", std::move(end),
        [](JsonWriter& w, RawFields&, const session::CaptureEnd& c) {
            write_event(w, {"event",
                            {"process"},
                            {"end"},
                            "capture-end",
                            c.error ? "failure" : "success",
                            kDataset});
        },
        [](JsonWriter& w, RawFields& raw, const session::CaptureEnd& c) {
            w.key("capture").begin_object();
            w.key("level").text(session::capture_level_name(c.level));
            write_count(w, "processes", c.processes);
            write_count(w, "streams", c.streams);
            write_count(w, "bytes_in", c.bytes_in);
            write_count(w, "bytes_out", c.bytes_out);
            write_count(w, "refused_calls", c.refused_calls);
            if (c.error) {
                w.key("error");
                raw.text(w, "asocat.capture.error", *c.error);
            }
            w.end_object();
        });
}

RecordDraft stream_payload_record(session::StreamPayload payload) {
    return capture_draft(
        "stream.payload", std::move(payload),
        [](JsonWriter& w, RawFields&, const session::StreamPayload& p) {
            write_event(w, {"event", {"network"}, {"info"}, "stream-payload", nullptr, kDataset});
            write_process_pid(w, p.pid);
        },
        [](JsonWriter& w, RawFields& raw, const session::StreamPayload& p) {
            w.key("payload").begin_object();
            w.key("fd").integer(p.fd);
            w.key("direction").text(p.in ? "in" : "out");
            write_count(w, "offset", p.stream_offset);
            write_count(w, "length", p.length);
            if (p.file) {
                w.key("file");
                raw.text(w, "asocat.payload.file", *p.file);
                write_count(w, "file_offset", p.file_offset);
            }
            if (p.copy_of) {
                w.key("copy_of").begin_object();
                w.key("pid").integer(p.copy_of->pid);
                w.key("fd").integer(p.copy_of->fd);
                w.key("direction").text("in");
                write_count(w, "offset", p.copy_of->stream_offset);
                w.end_object();
            }
            w.end_object();
        });
}

RecordDraft payload_truncated_record(session::PayloadTruncated truncated) {
    return capture_draft(
        "stream.truncated", std::move(truncated),
        [](JsonWriter& w, RawFields&, const session::PayloadTruncated& t) {
            write_event(w, {"event", {"network"}, {"info"}, "stream-truncated", nullptr, kDataset});
            write_process_pid(w, t.pid);
        },
        [](JsonWriter& w, RawFields&, const session::PayloadTruncated& t) {
            w.key("truncated").begin_object();
            w.key("fd").integer(t.fd);
            w.key("direction").text(t.in ? "in" : "out");
            write_count(w, "stored", t.stored);
            w.key("stored_sha256").text(t.stored_sha256);
            w.key("reason").text(t.reason);
            write_count(w, "limit", t.limit);
            w.end_object();
        });
}

} // namespace asocat::record
