// What `socat-audit show` knows of each session: the facts of its records (session.start and
// .end, and the capture records), gathered by asocat.session from log files read with the strict
// JSON reader and checked against the record layouts. Nothing here verifies the chain or the
// signatures; that is `socat-audit verify`'s job.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "util/clock.hpp"
#include "util/error.hpp"

namespace asocat::toolbox {

struct ShownExec {
    std::optional<util::WallTime> time;
    std::string path;                      // as passed to execve
    std::optional<std::string> executable; // the file hashed
    std::vector<std::string> args;
    bool args_truncated = false;
    std::optional<std::string> sha256;
    std::string outcome; // confirmed, failed, mismatch, unknown
};

struct ShownProcess {
    std::int64_t pid = 0;
    std::optional<std::int64_t> parent_pid;
    std::optional<std::string> executable; // at first sight
    std::vector<ShownExec> execs;
    std::vector<std::string> refused_calls;
    std::optional<std::string> end; // "exited 0", "killed by SIGKILL", "ended"
};

// A socket call; endpoints as text ("10.0.0.5:8443", "[::1]:22", "/run/s.sock", "@name").
struct ShownSocket {
    std::optional<util::WallTime> time;
    std::int64_t pid = 0;
    std::int64_t fd = 0;
    std::string action; // bind, listen, connect, accept, shutdown
    std::string transport;
    std::optional<std::string> local;
    std::optional<std::string> peer;
    std::string outcome;              // success, failure, unknown
    std::optional<std::string> error; // errno name
    std::optional<std::int64_t> accepted_fd;
    std::optional<std::int64_t> backlog;
    std::optional<std::string> how;
};

struct ShownDirection {
    std::int64_t bytes = 0;
    std::int64_t calls = 0;
    std::optional<std::string> sha256;
    bool eof = false;
};

struct ShownStream {
    std::optional<util::WallTime> time;
    std::int64_t pid = 0;
    std::int64_t fd = 0;
    std::string kind;
    std::optional<std::string> path;
    std::optional<std::string> local;
    std::optional<std::string> peer;
    std::string reason;
    ShownDirection in;
    ShownDirection out;
};

// What the environment claimed about who ran the session (identity.claimed), and how it
// stood against the kernel's facts.
struct ShownClaims {
    struct Sudo {
        std::optional<std::string> user;
        std::optional<std::int64_t> uid;
        bool in_chain = false;
    };
    struct Ssh {
        std::optional<std::string> client; // address and port, when well formed
        std::string variable;
        bool in_chain = false;
    };
    struct Ci {
        std::string system;
        std::optional<std::string> repository;
        std::optional<std::string> run;
        std::optional<std::string> actor;
    };
    std::optional<Sudo> sudo;
    std::optional<Ssh> ssh;
    std::optional<Ci> ci;
};

// The attested identity (identity.attested) and ticket (identity.ticket), for one line.
struct ShownAttestation {
    std::string status; // "verified", "rejected", "unavailable"
    std::string source;
    std::optional<std::string> reason;
    std::optional<std::string> issuer;
    std::optional<std::string> subject;
    std::optional<bool> mfa;
};
struct ShownTicket {
    std::string id;
    std::optional<bool> matches;
};

struct ShownStart {
    std::optional<util::WallTime> time;
    std::string timestamp;
    std::string host;
    std::int64_t socat_pid = 0;
    std::string socat_path;
    std::string socat_sha256;
    std::vector<std::string> args;
    std::optional<std::string> working_directory;
    std::int64_t uid = 0;
    std::optional<std::string> user;
    std::int64_t euid = 0;
    std::optional<std::string> effective_user;
    std::optional<std::int64_t> loginuid;
    std::optional<std::string> tty;
    std::int64_t parent_pid = 0;
    std::optional<std::string> parent_name;
    std::optional<std::string> parent_executable;
    bool privileged = false;
    std::string capture; // off, meta, digest, full
    ShownClaims claims;  // none in logs written before claims were recorded
    std::optional<ShownAttestation> attested;
    std::optional<ShownTicket> ticket;
};

struct ShownEnd {
    std::optional<util::WallTime> time;
    std::string timestamp;
    std::optional<std::int64_t> duration_ns;
    std::string reason; // exited, signaled, exec-failed, audit-failed
    std::optional<std::int64_t> exit_code;
    std::optional<std::string> signal;
    bool core_dumped = false;
    std::optional<std::string> error;
    std::string exec_check;
    std::int64_t wrapper_status = 0;
};

struct ShownCaptureEnd {
    std::optional<util::WallTime> time;
    std::string level;
    std::int64_t processes = 0;
    std::int64_t streams = 0;
    std::int64_t bytes_in = 0;
    std::int64_t bytes_out = 0;
    std::int64_t refused_calls = 0;
    std::optional<std::string> error;
};

struct ShownSession {
    std::string id;
    std::string first_record; // FILE:LINE of its first record
    std::uint64_t records = 0;
    std::optional<ShownStart> start;
    std::optional<ShownEnd> end;
    std::vector<ShownProcess> processes; // in order of first appearance
    std::vector<ShownSocket> sockets;
    std::vector<ShownStream> streams;
    std::optional<ShownCaptureEnd> capture_end;
};

struct ShownLog {
    std::vector<ShownSession> sessions; // in order of their first record
    std::vector<std::string> notes;     // what was passed over, one sentence each
};

// Reads `files` in order. Fails with "FILE:LINE: what is wrong" at the first line that is not
// strict JSON or not laid out as its record type requires (a torn line that the next record, a
// log.recovery, accounts for is passed over, as the writer left it), and with the errno of a
// file that cannot be read.
util::Expected<ShownLog> read_sessions(const std::vector<std::string>& files);

} // namespace asocat::toolbox
