// The session model as the launcher knows it: what started, on whose behalf, and how it ended.
// Plain data; record/session_records.* turns it into record lines.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <sys/types.h>
#include <vector>

#include "session/attested_identity.hpp"
#include "session/capture_events.hpp"
#include "session/claimed_identity.hpp"
#include "session/kernel_identity.hpp"
#include "util/clock.hpp"

namespace asocat::session {

struct WrapperInfo {
    std::string version;
    pid_t pid = 0;
    std::optional<std::string> executable;
    bool privileged = false; // started through sudo or set-id (DESIGN.md section 9)
};

// Which settings were in force and where they came from.
struct SettingsInfo {
    std::vector<std::string> config_files; // read, in order
    std::vector<std::string> environment;  // AUDITED_SOCAT_* variables that applied
    std::string log_path;
    bool fail_open = false;
    std::string socat_source; // "environment", "config", "default", "path"
};

struct SocatBinary {
    std::string path;   // what is executed
    std::string sha256; // of the file opened at `path` just before the launch
};

struct SessionStart {
    std::string id;
    util::WallTime time{};
    std::string host_name;
    WrapperInfo wrapper;
    SettingsInfo settings;
    SocatBinary socat;
    pid_t socat_pid = 0;
    std::vector<std::string> args; // socat's argv exactly as passed to execve
    std::optional<std::string> working_directory;
    KernelIdentity identity;
    ClaimedIdentity claimed;
    std::optional<AttestedIdentity> attested;
    std::optional<Ticket> ticket;
    CaptureLevel capture = CaptureLevel::off; // what the supervisor records of this session
};

enum class EndReason {
    exited,           // socat exited with `exit_code`
    signaled,         // socat was killed by `signal`
    exec_failed,      // socat could not be executed; `error` says why
    audit_failed,     // the wrapper stopped socat because it could not audit; `error` says why
    identity_refused, // the identity or ticket the configuration requires is missing or bad
};

// Whether the file executed was the file hashed: after exec, the path still names the same,
// unmodified inode (launch::still_unchanged).
enum class ExecCheck {
    matched,
    mismatched,
    not_checked, // socat was never executed
};

struct SessionEnd {
    std::string id;
    util::WallTime start{};
    util::WallTime end{};
    std::int64_t duration_ns = 0;
    pid_t socat_pid = 0;
    EndReason reason = EndReason::exited;
    int exit_code = 0;
    int signal = 0;
    bool core_dumped = false;
    std::optional<std::string> error;
    ExecCheck exec_check = ExecCheck::not_checked;
    int wrapper_status = 0; // how the wrapper ends: exit status, or 128 + re-raised signal
};

} // namespace asocat::session
