// Who is running us, as the kernel tells it (the `kernel` trust tier in SECURITY.md): ids,
// supplementary groups, the audit login uid and session, the controlling terminal, and the
// process that started us. Nothing here comes from the environment.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <sys/types.h>
#include <vector>

namespace asocat::session {

struct NamedId {
    std::uint32_t id;
    std::optional<std::string> name; // from the passwd/group database, if it has one
};

struct ProcessSnapshot {
    pid_t pid = 0;
    std::optional<std::string> executable; // /proc/<pid>/exe
    std::optional<std::string> name;       // /proc/<pid>/comm
    std::vector<std::string> args;         // /proc/<pid>/cmdline, empty if unreadable
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
};

KernelIdentity collect_kernel_identity();
ProcessSnapshot snapshot_process(pid_t pid);

} // namespace asocat::session
