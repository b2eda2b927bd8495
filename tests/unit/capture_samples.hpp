// Capture events with realistic values, one or more per record type: unix paths and argv that
// are not UTF-8, failed calls, every end reason, full capture's payload records. Shared by the
// record, schema, scanner and show tests.
#pragma once

#include <cerrno>
#include <csignal>
#include <string>
#include <sys/socket.h>
#include <vector>

#include "record/capture_records.hpp"

namespace asocat::test {

inline constexpr const char* kCaptureSession = "0f0e0d0c-0b0a-4908-8706-050403020100";
// The samples' payload file: the stored run is bytes 4096..4216 of it.
inline constexpr const char* kSamplePayloadFile =
    "payload-0f0e0d0c-0b0a-4908-8706-050403020100.blob";

inline util::WallTime capture_time(std::int64_t offset_ns) {
    const std::int64_t base = 678532000 + offset_ns;
    return {1796423008 + base / 1000000000, base % 1000000000};
}

inline session::Endpoint inet(std::string ip, std::uint16_t port) {
    return {"inet", std::move(ip), port, false, std::nullopt};
}

inline session::Endpoint unix_path(std::string path, bool abstract = false) {
    return {"unix", std::move(path), std::nullopt, abstract, std::nullopt};
}

inline session::ProcessExec sample_exec() {
    session::ProcessExec e;
    e.session = kCaptureSession;
    e.time = capture_time(1000);
    e.pid = 4245;
    e.path = "./hook\xFF";
    e.args = {"hook", "--out=/tmp/\xFE", "-v"};
    e.executable = "/srv/hooks/hook\xFF";
    e.sha256 = std::string(64, 'b');
    e.outcome = session::ExecOutcome::confirmed;
    return e;
}

inline session::StreamEnd sample_stream() {
    session::StreamEnd s;
    s.session = kCaptureSession;
    s.time = capture_time(5000);
    s.pid = 4244;
    s.fd = 6;
    s.kind = "tcp";
    s.local = inet("10.0.0.7", 8080);
    s.peer = inet("10.0.0.9", 51512);
    s.in = {120, 2, std::string(64, 'c'), true, capture_time(2000), capture_time(3000)};
    s.out = {4096, 1, std::string(64, 'd'), false, capture_time(2500), capture_time(2500)};
    s.reason = session::StreamEndReason::close;
    return s;
}

// At least one draft of every capture record type.
inline std::vector<record::RecordDraft> capture_drafts() {
    std::vector<record::RecordDraft> drafts;
    session::ProcessStart start{kCaptureSession, capture_time(0), 4244, 4243, "/usr/bin/socat"};
    drafts.push_back(record::process_start_record(start));
    start.executable.reset();
    drafts.push_back(record::process_start_record(start));

    drafts.push_back(record::process_exec_record(sample_exec()));
    auto failed = sample_exec();
    failed.outcome = session::ExecOutcome::failed;
    failed.executable.reset();
    failed.sha256.reset();
    failed.args_truncated = true;
    drafts.push_back(record::process_exec_record(failed));

    drafts.push_back(
        record::process_end_record({kCaptureSession, capture_time(9000), 4245, 0, {}}));
    drafts.push_back(
        record::process_end_record({kCaptureSession, capture_time(9000), 4244, {}, SIGKILL}));
    drafts.push_back(
        record::process_end_record({kCaptureSession, capture_time(9000), 4246, {}, {}}));

    session::SocketEvent bind;
    bind.session = kCaptureSession;
    bind.time = capture_time(100);
    bind.pid = 4243;
    bind.fd = 5;
    bind.action = session::SocketAction::bind;
    bind.transport = "unix-stream";
    bind.local = unix_path("/run/app/s\xFF.sock");
    drafts.push_back(record::socket_event_record(bind));
    auto listen = bind;
    listen.action = session::SocketAction::listen;
    listen.local = unix_path("app-control", true);
    listen.backlog = 5;
    drafts.push_back(record::socket_event_record(listen));
    session::SocketEvent connect;
    connect.session = kCaptureSession;
    connect.time = capture_time(200);
    connect.pid = 4244;
    connect.fd = 7;
    connect.action = session::SocketAction::connect;
    connect.transport = "tcp";
    connect.local = inet("10.0.0.7", 40000);
    connect.peer = inet("10.0.0.5", 8443);
    drafts.push_back(record::socket_event_record(connect));
    connect.success = false;
    connect.error = ECONNREFUSED;
    drafts.push_back(record::socket_event_record(connect));
    connect.error = EINPROGRESS;
    connect.peer = session::Endpoint{"inet6", "fe80::1%eth0", 443, false, std::nullopt};
    connect.local.reset();
    drafts.push_back(record::socket_event_record(connect));
    session::SocketEvent accept;
    accept.session = kCaptureSession;
    accept.time = capture_time(300);
    accept.pid = 4243;
    accept.fd = 5;
    accept.action = session::SocketAction::accept;
    accept.transport = "tcp";
    accept.local = inet("10.0.0.7", 8080);
    accept.peer = inet("10.0.0.9", 51512);
    accept.accepted_fd = 6;
    drafts.push_back(record::socket_event_record(accept));
    accept.transport = "unix-dgram";
    accept.local = unix_path("");
    accept.peer = session::Endpoint{"other", "", std::nullopt, false, 40};
    drafts.push_back(record::socket_event_record(accept));
    session::SocketEvent shutdown;
    shutdown.session = kCaptureSession;
    shutdown.time = capture_time(4000);
    shutdown.pid = 4244;
    shutdown.fd = 6;
    shutdown.action = session::SocketAction::shutdown;
    shutdown.transport = "tcp";
    shutdown.how = SHUT_WR;
    shutdown.local = session::Endpoint{"unspecified", "", std::nullopt, false, std::nullopt};
    drafts.push_back(record::socket_event_record(shutdown));

    drafts.push_back(record::stream_end_record(sample_stream()));
    session::StreamEnd file;
    file.session = kCaptureSession;
    file.time = capture_time(6000);
    file.pid = 4245;
    file.fd = 3;
    file.kind = "file";
    file.path = "/var/tmp/dump\xFF.bin";
    file.out = {0, 0, std::nullopt, false, std::nullopt, std::nullopt};
    file.reason = session::StreamEndReason::supervisor_end;
    drafts.push_back(record::stream_end_record(file));

    session::StreamPayload stored;
    stored.session = kCaptureSession;
    stored.time = capture_time(5000);
    stored.pid = 4244;
    stored.fd = 6;
    stored.stream_offset = 0;
    stored.length = 120;
    stored.file = kSamplePayloadFile;
    stored.file_offset = 4096;
    drafts.push_back(record::stream_payload_record(stored));
    session::StreamPayload copied = stored;
    copied.in = false;
    copied.file.reset();
    copied.copy_of = session::PayloadCopy{4244, 6, 0};
    drafts.push_back(record::stream_payload_record(copied));
    drafts.push_back(
        record::payload_truncated_record({kCaptureSession, capture_time(5000), 4244, 6, true, 120,
                                          std::string(64, 'e'), "stream-limit", 120}));

    drafts.push_back(
        record::refused_call_record({kCaptureSession, capture_time(700), 4244, "sendfile"}));

    session::CaptureEnd end;
    end.session = kCaptureSession;
    end.time = capture_time(10000);
    end.level = session::CaptureLevel::digest;
    end.processes = 3;
    end.streams = 4;
    end.bytes_in = 120;
    end.bytes_out = 4096;
    end.refused_calls = 1;
    drafts.push_back(record::capture_end_record(end));
    end.error = "the supervisor lost its listener";
    drafts.push_back(record::capture_end_record(end));
    return drafts;
}

} // namespace asocat::test
