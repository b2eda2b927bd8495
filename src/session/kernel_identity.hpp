// Who is running us, as the kernel tells it (the `kernel` trust tier in SECURITY.md): ids,
// supplementary groups, the audit login uid and session, the controlling terminal, the chain of
// processes that started us, the cgroup, and which machine and boot this is. Nothing here comes
// from the environment.
#pragma once

#include <cstddef>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <sys/types.h>
#include <vector>

namespace asocat::session {

struct NamedId {
    std::uint32_t id = 0;
    std::optional<std::string> name; // from the passwd/group database, if it has one
};

struct ProcessSnapshot {
    pid_t pid = 0;
    std::optional<std::string> executable; // /proc/<pid>/exe
    std::optional<std::string> name;       // /proc/<pid>/comm
    std::vector<std::string> args;         // /proc/<pid>/cmdline, empty if unreadable
    bool args_truncated = false;           // args were cut to kMaxAncestorArgs (ancestors)
};

struct KernelIdentity {
    NamedId uid;
    NamedId euid;
    NamedId gid;
    NamedId egid;
    std::vector<NamedId> groups;
    std::optional<std::uint32_t> loginuid;      // nullopt: unset (4294967295)
    std::optional<std::uint32_t> audit_session; // nullopt: unset
    std::optional<std::string> tty;             // controlling terminal
    ProcessSnapshot parent;                     // who started the wrapper
    // The parent's parent and on up, to the session leader or pid 1 (at most kMaxAncestors).
    std::vector<ProcessSnapshot> ancestors;
    pid_t session_leader = 0;                // the session id (/proc/self/stat)
    std::optional<std::string> cgroup;       // the cgroup v2 path, "0::" in /proc/self/cgroup
    std::optional<std::string> systemd_unit; // the cgroup's innermost *.service or *.scope
    std::optional<std::string> machine_id;   // /etc/machine-id
    std::optional<std::string> boot_id;      // /proc/sys/kernel/random/boot_id

    static constexpr std::size_t kMaxAncestors = 16;
    // Bytes of argv kept per ancestor: 16 command lines of up to 1 MiB each would make a
    // start record too large to verify (the reader takes 16 MiB at most).
    static constexpr std::size_t kMaxAncestorArgs = 4096;
};

KernelIdentity collect_kernel_identity();
ProcessSnapshot snapshot_process(pid_t pid);

// The processes above `parent`, nearest first: each one's parent in turn, ending with the
// session leader `session_leader` or pid 1, or after `limit` processes, or where /proc no
// longer tells (a process that exited meanwhile).
std::vector<ProcessSnapshot> ancestors_of(pid_t parent, pid_t session_leader, std::size_t limit);

// The systemd unit a cgroup path names: its innermost component ending in ".service" or
// ".scope" ("/user.slice/user-1000.slice/session-4.scope" -> "session-4.scope").
std::optional<std::string> systemd_unit_of(std::string_view cgroup);

} // namespace asocat::session
