// Facts the kernel publishes about a process under /proc/<pid>.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <sys/types.h>
#include <vector>

#include "util/error.hpp"

namespace asocat::util {

Expected<std::vector<std::string>> proc_cmdline(pid_t pid);
Expected<std::string> proc_exe(pid_t pid);
Expected<std::string> proc_comm(pid_t pid);

// Fields of /proc/<pid>/stat after the command name (which may contain spaces and parentheses).
struct ProcStat {
    char state = '?';
    pid_t ppid = 0;
    pid_t pgrp = 0;
    pid_t session = 0;
    std::uint64_t tty_nr = 0; // 0: no controlling terminal
};
Expected<ProcStat> proc_stat(pid_t pid);

// /proc/<pid>/loginuid and sessionid; nullopt when unset (4294967295) or unreadable.
std::optional<std::uint32_t> proc_loginuid(pid_t pid);
std::optional<std::uint32_t> proc_audit_session(pid_t pid);

// The device name of a tty number from /proc/<pid>/stat, e.g. "/dev/pts/3".
std::optional<std::string> tty_name(std::uint64_t tty_nr);

} // namespace asocat::util
