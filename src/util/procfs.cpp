#include "util/procfs.hpp"

#include <fcntl.h>
#include <unistd.h>

#include <charconv>
#include <cstdlib>
#include <string>
#include <string_view>
#include <sys/stat.h>
#include <sys/sysmacros.h>
#include <vector>

#include "util/io.hpp"

namespace asocat::util {
namespace {

constexpr std::size_t kProcFileLimit = 1 << 20;

std::string proc_path(pid_t pid, const char* leaf) {
    return "/proc/" + std::to_string(pid) + "/" + leaf;
}

std::optional<std::uint32_t> read_audit_id(pid_t pid, const char* leaf) {
    auto content = read_small_file(AT_FDCWD, proc_path(pid, leaf), 64);
    if (!content) {
        return std::nullopt;
    }
    std::uint32_t value = 0;
    const auto* begin = content->data();
    const auto [end, ec] = std::from_chars(begin, begin + content->size(), value);
    if (ec != std::errc() || value == 4294967295U) {
        return std::nullopt;
    }
    return value;
}

} // namespace

Expected<std::vector<std::string>> proc_cmdline(pid_t pid) {
    auto content = read_small_file(AT_FDCWD, proc_path(pid, "cmdline"), kProcFileLimit);
    if (!content) {
        return content.error();
    }
    std::vector<std::string> args;
    std::size_t start = 0;
    while (start < content->size()) {
        std::size_t end = content->find('\0', start);
        if (end == std::string::npos) {
            end = content->size();
        }
        args.push_back(content->substr(start, end - start));
        start = end + 1;
    }
    return args;
}

Expected<std::string> proc_exe(pid_t pid) {
    return read_link(AT_FDCWD, proc_path(pid, "exe"));
}

Expected<std::string> proc_comm(pid_t pid) {
    auto content = read_small_file(AT_FDCWD, proc_path(pid, "comm"), 64);
    if (content && !content->empty() && content->back() == '\n') {
        content->pop_back();
    }
    return content;
}

Expected<ProcStat> proc_stat(pid_t pid) {
    auto content = read_small_file(AT_FDCWD, proc_path(pid, "stat"), 4096);
    if (!content) {
        return content.error();
    }
    // "pid (comm) S ppid pgrp session tty_nr ..."; comm ends at the last ')'.
    const auto close = content->rfind(')');
    if (close == std::string::npos || close + 2 >= content->size()) {
        return Error("malformed " + proc_path(pid, "stat"));
    }
    ProcStat st;
    st.state = (*content)[close + 2];
    const char* p = content->c_str() + close + 3;
    char* end = nullptr;
    st.ppid = static_cast<pid_t>(std::strtol(p, &end, 10));
    st.pgrp = static_cast<pid_t>(std::strtol(end, &end, 10));
    st.session = static_cast<pid_t>(std::strtol(end, &end, 10));
    st.tty_nr = std::strtoull(end, &end, 10);
    return st;
}

std::optional<std::uint32_t> proc_loginuid(pid_t pid) {
    return read_audit_id(pid, "loginuid");
}

std::optional<std::uint32_t> proc_audit_session(pid_t pid) {
    return read_audit_id(pid, "sessionid");
}

Expected<ProcFds> ProcFds::open(pid_t pid) {
    const std::string path = proc_path(pid, "fd");
    ProcFds fds;
    fds.m_dir.reset(::opendir(path.c_str()));
    if (!fds.m_dir) {
        return Error::from_errno(path);
    }
    while (const dirent* entry = ::readdir(fds.m_dir.get())) {
        const std::string_view name(entry->d_name);
        int fd = 0;
        const auto [end, ec] = std::from_chars(name.data(), name.data() + name.size(), fd);
        if (ec == std::errc() && end == name.data() + name.size()) {
            fds.m_numbers.push_back(fd); // not "." or ".."
        }
    }
    return fds;
}

Expected<std::string> ProcFds::target(int fd) const {
    return read_link(::dirfd(m_dir.get()), std::to_string(fd));
}

Expected<std::string> proc_fd_target(pid_t pid, int fd) {
    const std::string leaf = "fd/" + std::to_string(fd);
    return read_link(AT_FDCWD, proc_path(pid, leaf.c_str()));
}

std::vector<int> socket_descriptors(pid_t pid, int first, int last) {
    std::vector<int> sockets;
    if (first == last) { // one link: no directory to list
        const auto target = proc_fd_target(pid, first);
        if (target && socket_inode(*target)) {
            sockets.push_back(first);
        }
        return sockets;
    }
    const auto fds = ProcFds::open(pid);
    if (!fds) {
        return sockets;
    }
    for (const int fd : fds->numbers()) {
        if (fd < first || fd > last) {
            continue;
        }
        const auto target = fds->target(fd);
        if (target && socket_inode(*target)) {
            sockets.push_back(fd);
        }
    }
    return sockets;
}

std::optional<ino_t> socket_inode(std::string_view target) {
    constexpr std::string_view prefix = "socket:[";
    if (!target.starts_with(prefix) || !target.ends_with(']')) {
        return std::nullopt;
    }
    const char* begin = target.data() + prefix.size();
    const char* last = target.data() + target.size() - 1;
    ino_t inode = 0;
    const auto [end, ec] = std::from_chars(begin, last, inode);
    if (ec != std::errc() || end != last) {
        return std::nullopt;
    }
    return inode;
}

std::vector<pid_t> proc_children(pid_t pid) {
    std::vector<pid_t> children;
    const std::string path =
        "/proc/" + std::to_string(pid) + "/task/" + std::to_string(pid) + "/children";
    const auto text = read_small_file(AT_FDCWD, path, kProcFileLimit);
    if (!text) {
        return children;
    }
    // "PID PID ... " with a space after each.
    const char* at = text->data();
    const char* const end = text->data() + text->size();
    while (at < end) {
        if (*at == ' ' || *at == '\n') {
            ++at;
            continue;
        }
        pid_t child = 0;
        const auto [next, ec] = std::from_chars(at, end, child);
        if (ec != std::errc()) {
            break;
        }
        children.push_back(child);
        at = next;
    }
    return children;
}

std::optional<std::string> tty_name(std::uint64_t tty_nr) {
    if (tty_nr == 0) {
        return std::nullopt;
    }
    // tty_nr packs the device number the way the kernel's old_encode_dev-like scheme does:
    // minor bits 0-7 and 20-31, major bits 8-19.
    const unsigned major_number = static_cast<unsigned>((tty_nr >> 8) & 0xfff);
    const unsigned minor_number =
        static_cast<unsigned>((tty_nr & 0xff) | ((tty_nr >> 12) & 0xfff00));
    // Unix98 pseudo-terminal slaves: majors 136-143.
    if (major_number >= 136 && major_number <= 143) {
        return "/dev/pts/" + std::to_string((major_number - 136) * 256 + minor_number);
    }
    // Otherwise find the device node among the usual places.
    const dev_t wanted = makedev(major_number, minor_number);
    std::vector<std::string> candidates{"/dev/console", "/dev/tty" + std::to_string(minor_number)};
    if (minor_number >= 64) {
        candidates.push_back("/dev/ttyS" + std::to_string(minor_number - 64));
    }
    for (const auto& candidate : candidates) {
        struct stat st {};
        if (::stat(candidate.c_str(), &st) == 0 && S_ISCHR(st.st_mode) && st.st_rdev == wanted) {
            return candidate;
        }
    }
    return "char device " + std::to_string(major_number) + ":" + std::to_string(minor_number);
}

} // namespace asocat::util
