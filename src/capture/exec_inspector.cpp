#include "capture/exec_inspector.hpp"

#include <fcntl.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <sys/stat.h>
#include <sys/syscall.h>

#include "capture/tracee_memory.hpp"
#include "util/io.hpp"
#include "util/scoped_fd.hpp"
#include "util/sha256.hpp"

namespace asocat::capture {
namespace {

constexpr std::size_t kMaxPath = 4096;

std::string proc_path(pid_t pid, const char* what) {
    return "/proc/" + std::to_string(pid) + "/" + what;
}

std::optional<FileIdentity> identity_of(const std::string& path) {
    struct stat st {};
    if (::stat(path.c_str(), &st) != 0) {
        return std::nullopt;
    }
    return FileIdentity{st.st_dev, st.st_ino};
}

// Whether descriptor `fd` of `pid` is close-on-exec ("flags:" in fdinfo, octal).
bool close_on_exec(pid_t pid, int fd) {
    util::ScopedFd info(::open(proc_path(pid, ("fdinfo/" + std::to_string(fd)).c_str()).c_str(),
                               O_RDONLY | O_CLOEXEC));
    if (!info) {
        return false;
    }
    char text[256] = {};
    const ssize_t n = ::read(info.get(), text, sizeof text - 1);
    if (n <= 0) {
        return false;
    }
    const char* flags = std::strstr(text, "flags:");
    return flags != nullptr && (std::strtoul(flags + 6, nullptr, 8) & O_CLOEXEC) != 0;
}

// The interpreter a "#!" line names, if the file starts with one.
std::optional<std::string> shebang(std::string_view head) {
    if (head.substr(0, 2) != "#!") {
        return std::nullopt;
    }
    std::size_t begin = 2;
    while (begin < head.size() && (head[begin] == ' ' || head[begin] == '\t')) {
        ++begin;
    }
    std::size_t end = begin;
    while (end < head.size() && head[end] != ' ' && head[end] != '\t' && head[end] != '\n') {
        ++end;
    }
    if (end == begin) {
        return std::nullopt;
    }
    return std::string(head.substr(begin, end - begin));
}

} // namespace

std::optional<FileIdentity> executable_identity(pid_t pid) {
    return identity_of(proc_path(pid, "exe"));
}

util::Expected<PendingExec> ExecInspector::inspect(const NotifyListener& listener,
                                                   const Notification& call, BorrowedFds& borrowed,
                                                   const std::vector<int>& streams) {
    const bool at = call.data.nr == SYS_execveat;
    const std::uint64_t path_address = at ? call.data.args[1] : call.data.args[0];
    const std::uint64_t argv_address = at ? call.data.args[2] : call.data.args[1];
    PendingExec exec;
    exec.facts.pid = call.pid;
    auto path = read_tracee_string(listener, call, path_address, kMaxPath);
    if (!path) {
        if (path.error().errno_value() == ENOENT) {
            return path.error();
        }
        exec.facts.path = ""; // EFAULT: the exec fails the same way
    } else {
        exec.facts.path = path->bytes;
    }
    std::size_t arg_bytes = 0;
    for (std::uint64_t slot = argv_address; argv_address != 0; slot += sizeof(std::uint64_t)) {
        if (exec.facts.args.size() == kMaxExecArgs || arg_bytes >= kMaxExecArgBytes) {
            exec.facts.args_truncated = true;
            break;
        }
        auto pointer = read_tracee(listener, call, slot, sizeof(std::uint64_t));
        if (!pointer) {
            if (pointer.error().errno_value() == ENOENT) {
                return pointer.error();
            }
            break;
        }
        std::uint64_t address = 0;
        std::memcpy(&address, pointer->data(), sizeof address);
        if (address == 0) {
            break;
        }
        auto arg = read_tracee_string(listener, call, address, kMaxExecArgBytes - arg_bytes);
        if (!arg) {
            if (arg.error().errno_value() == ENOENT) {
                return arg.error();
            }
            break;
        }
        arg_bytes += arg->bytes.size() + 1;
        exec.facts.args.push_back(std::move(arg->bytes));
        if (arg->truncated) {
            exec.facts.args_truncated = true;
            break;
        }
    }

    // The file, as the caller's exec will look it up: relative to its working directory, or to
    // the descriptor execveat names.
    util::ScopedFd base;
    int dirfd = -1;
    if (at && static_cast<int>(call.data.args[0]) != AT_FDCWD) {
        auto dir = borrowed.borrow(listener, call, static_cast<int>(call.data.args[0]));
        if (!dir && dir.error().errno_value() == ENOENT) {
            return dir.error();
        }
        dirfd = dir ? *dir : -1;
    } else {
        base.reset(::open(proc_path(call.pid, "cwd").c_str(), O_PATH | O_DIRECTORY | O_CLOEXEC));
        dirfd = base.get();
    }
    const bool empty_path =
        at && (call.data.args[4] & AT_EMPTY_PATH) != 0 && exec.facts.path.empty();
    util::ScopedFd file(empty_path
                            ? ::fcntl(dirfd, F_DUPFD_CLOEXEC, 0)
                            : ::openat(dirfd, exec.facts.path.c_str(), O_RDONLY | O_CLOEXEC));
    struct stat st {};
    if (file && ::fstat(file.get(), &st) == 0 && S_ISREG(st.st_mode)) {
        exec.hashed = FileIdentity{st.st_dev, st.st_ino};
        const auto key =
            std::make_tuple(st.st_dev, st.st_ino, st.st_size,
                            static_cast<std::int64_t>(st.st_ctim.tv_sec), st.st_ctim.tv_nsec);
        auto cached = m_cache.find(key);
        if (cached == m_cache.end()) {
            util::Sha256 hash;
            std::string head;
            std::string buffer(64 * 1024, '\0');
            for (;;) {
                const ssize_t n = ::read(file.get(), buffer.data(), buffer.size());
                if (n < 0 && errno == EINTR) {
                    continue;
                }
                if (n <= 0) {
                    break;
                }
                if (head.empty()) {
                    head.assign(buffer.data(),
                                std::min<std::size_t>(static_cast<std::size_t>(n), 256));
                }
                hash.update(buffer.data(), static_cast<std::size_t>(n));
            }
            cached = m_cache.emplace(key, Hashed{util::to_hex(hash.finish()), shebang(head)}).first;
        }
        exec.facts.sha256 = cached->second.sha256;
        char resolved[kMaxPath + 1] = {};
        const std::string link = "/proc/self/fd/" + std::to_string(file.get());
        const ssize_t n = ::readlink(link.c_str(), resolved, kMaxPath);
        if (n > 0) {
            exec.facts.executable = std::string(resolved, static_cast<std::size_t>(n));
        }
        if (cached->second.interpreter) {
            exec.interpreter = identity_of(*cached->second.interpreter);
        }
    }
    exec.before = executable_identity(call.pid);
    for (const int fd : streams) {
        if (close_on_exec(call.pid, fd)) {
            exec.close_on_exec.push_back(fd);
        }
    }
    return exec;
}

session::ExecOutcome ExecInspector::outcome(pid_t pid, const PendingExec& exec) {
    const auto now = executable_identity(pid);
    if (!now) {
        return session::ExecOutcome::unknown;
    }
    if ((exec.hashed && *now == *exec.hashed) || (exec.interpreter && *now == *exec.interpreter)) {
        return session::ExecOutcome::confirmed;
    }
    if (exec.before && *now == *exec.before) {
        return session::ExecOutcome::failed;
    }
    return session::ExecOutcome::mismatch;
}

} // namespace asocat::capture
