// Facts the kernel publishes about a process under /proc/<pid>.
#pragma once

#include <dirent.h>

#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
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

// A process's descriptor table as /proc/<pid>/fd shows it. The directory stays open so that
// links are read relative to it, without a path walk through /proc per descriptor.
class ProcFds {
public:
    // Fails with ENOENT when the process is gone.
    static Expected<ProcFds> open(pid_t pid);

    // The descriptor numbers when it was opened, as the kernel lists them.
    const std::vector<int>& numbers() const { return m_numbers; }
    // Where descriptor `fd` leads: "socket:[123]", "pipe:[45]", a path. Fails if it was closed
    // since.
    Expected<std::string> target(int fd) const;

private:
    ProcFds() = default;

    struct CloseDir {
        void operator()(DIR* dir) const { ::closedir(dir); }
    };
    std::unique_ptr<DIR, CloseDir> m_dir;
    std::vector<int> m_numbers;
};

// Where a process's descriptor `fd` leads (as ProcFds::target), by a path through /proc.
Expected<std::string> proc_fd_target(pid_t pid, int fd);

// The descriptors in [first, last] a process has open on sockets; none if it is gone. Reads
// only the links, so other descriptors cost one readlink each and nothing more.
std::vector<int> socket_descriptors(pid_t pid, int first, int last);

// The inode of a socket from its descriptor's target, "socket:[N]"; nullopt for anything else.
std::optional<ino_t> socket_inode(std::string_view target);

// The children of `pid`'s main thread, from /proc/<pid>/task/<pid>/children (which lists only
// those forked by that thread); none if it is gone.
std::vector<pid_t> proc_children(pid_t pid);

// The device name of a tty number from /proc/<pid>/stat, e.g. "/dev/pts/3".
std::optional<std::string> tty_name(std::uint64_t tty_nr);

} // namespace asocat::util
