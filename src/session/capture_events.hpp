// What the capture engine observed in a session, as plain data: the processes socat became,
// the sockets it bound, listened on, accepted and connected, and one stream per descriptor
// lifetime with the bytes that moved each way. record/capture_records.* turns these into
// record lines; capture/ produces them.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <sys/types.h>
#include <vector>

#include "util/clock.hpp"

namespace asocat::session {

// How much of the bytes is kept (DESIGN.md section 9, AUDITED_SOCAT_CAPTURE / `capture`).
enum class CaptureLevel {
    off,    // no supervisor: the session start and end only
    meta,   // processes, sockets, per-stream byte counts
    digest, // plus a SHA-256 per stream and direction
    full,   // plus the payload in a blob store beside the log
    // Not a setting: a session inside another audited session, whose supervisor captures it
    // (launch/enclosing_session.hpp).
    enclosed,
};

// A socket address as a call passed or the kernel reported it. Nothing is resolved.
struct Endpoint {
    std::string family;                // "inet", "inet6", "unix", "other", "unspecified"
    std::string address;               // IP text; unix path bytes (may not be UTF-8) or name
    std::optional<std::uint16_t> port; // inet, inet6
    bool abstract = false;             // unix: abstract namespace (no leading NUL in address)
    std::optional<int> family_number;  // other: the raw sa_family
};

// A process seen for the first time (its first trapped call, or its exec).
struct ProcessStart {
    std::string session;
    util::WallTime time{};
    pid_t pid = 0;
    pid_t parent_pid = 0;
    std::optional<std::string> executable; // /proc/PID/exe at first sight
};

// An execve the process made. The binary is hashed before the call is let through; whether
// the process really runs that file is confirmed afterwards (/proc/PID/exe names the hashed
// inode), since the path could have been swapped in between.
enum class ExecOutcome {
    confirmed, // the process now runs the hashed file
    failed,    // the call failed; the process runs on in its old image
    mismatch,  // the process runs a different file than the one hashed
    unknown,   // the process ended before it could be checked
};

struct ProcessExec {
    std::string session;
    util::WallTime time{};
    pid_t pid = 0;
    std::string path;                      // as passed to execve (exact bytes)
    std::vector<std::string> args;         // argv as passed (exact bytes), possibly truncated
    bool args_truncated = false;           // more than the capture engine reads (see capture/)
    std::optional<std::string> executable; // the file opened and hashed (absolute path)
    std::optional<std::string> sha256;
    ExecOutcome outcome = ExecOutcome::unknown;
};

struct ProcessEnd {
    std::string session;
    util::WallTime time{};
    pid_t pid = 0;
    std::optional<int> exit_code; // exit_group status when it exited through it
    std::optional<int> signal;    // the killing signal when known
};

enum class SocketAction { bind, listen, connect, accept, shutdown };

struct SocketEvent {
    std::string session;
    util::WallTime time{};
    pid_t pid = 0;
    int fd = -1;
    SocketAction action = SocketAction::connect;
    std::string transport; // "tcp", "udp", "unix-stream", "unix-dgram", "unix-seqpacket", ...
    std::optional<Endpoint> local;
    std::optional<Endpoint> peer;
    bool success = true;
    std::optional<int> error;       // errno of a failed call (connect: EINPROGRESS included)
    std::optional<int> accepted_fd; // accept: the new descriptor in the caller
    std::optional<int> backlog;     // listen
    std::optional<int> how;         // shutdown: SHUT_RD, SHUT_WR, SHUT_RDWR
};

// The bytes that moved through one descriptor in one direction.
struct StreamDirection {
    std::uint64_t bytes = 0;
    std::uint64_t calls = 0;           // calls that moved at least one byte
    std::optional<std::string> sha256; // digest and full levels
    bool eof = false;                  // in: a read returned 0; out: shutdown(SHUT_WR)
    std::optional<util::WallTime> first;
    std::optional<util::WallTime> last;
};

enum class StreamEndReason { close, dup2, close_range, exec, exit, supervisor_end };

// One descriptor lifetime in one process, from first use to close.
struct StreamEnd {
    std::string session;
    util::WallTime time{};
    pid_t pid = 0;
    int fd = -1;
    std::string kind; // "tcp", "udp", "unix", "pipe", "tty", "file", "device", "socket", "other"
    std::optional<std::string> path; // what /proc/PID/fd/N names (files, ttys, devices, pipes)
    std::optional<Endpoint> local;
    std::optional<Endpoint> peer;
    StreamDirection in;  // into the process (read, recv*)
    StreamDirection out; // out of the process (write, send*)
    StreamEndReason reason = StreamEndReason::close;
};

// A call the capture engine refused (it would move bytes out of sight, e.g. sendfile): the
// caller got ENOSYS. Recorded once per process and call.
struct RefusedCall {
    std::string session;
    util::WallTime time{};
    pid_t pid = 0;
    std::string syscall;
};

// The supervisor's last word: every traced process is gone (or the supervisor stopped).
struct CaptureEnd {
    std::string session;
    util::WallTime time{};
    CaptureLevel level = CaptureLevel::meta;
    std::uint64_t processes = 0;
    std::uint64_t streams = 0;
    std::uint64_t bytes_in = 0;
    std::uint64_t bytes_out = 0;
    std::uint64_t refused_calls = 0;
    std::optional<std::string> error; // why the supervisor stopped early, if it did
};

} // namespace asocat::session

namespace asocat::session {

// Full capture: a run of bytes of one stream and direction. Either stored in the session's
// payload file in the log directory, or the same bytes another stream of the same process
// received (a relay's copy, stored once).
struct PayloadCopy {
    pid_t pid = 0;
    int fd = -1;                     // the incoming stream (direction in) that holds the bytes
    std::uint64_t stream_offset = 0; // where in that stream they start
};

struct StreamPayload {
    std::string session;
    util::WallTime time{};
    pid_t pid = 0;
    int fd = -1;
    bool in = true;
    std::uint64_t stream_offset = 0; // bytes of this stream and direction before these
    std::uint64_t length = 0;
    std::optional<std::string> file; // payload file name (in the log directory)
    std::uint64_t file_offset = 0;
    std::optional<PayloadCopy> copy_of;
};

// Full capture stopped storing a stream's bytes (the digest goes on): what was stored so far
// is a prefix of `stored` bytes whose SHA-256 is `stored_sha256`.
struct PayloadTruncated {
    std::string session;
    util::WallTime time{};
    pid_t pid = 0;
    int fd = -1;
    bool in = true;
    std::uint64_t stored = 0;
    std::string stored_sha256;
    std::string reason;      // "stream-limit" or "session-limit"
    std::uint64_t limit = 0; // the limit that was reached, in bytes
};

} // namespace asocat::session
