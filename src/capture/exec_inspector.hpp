// What an execve is about to run, taken before the call is let through: the path and argv as
// the caller passed them (read once), and the file that path names from the caller's working
// directory, opened and hashed by the supervisor. The call itself is continued (the kernel
// must perform an exec), so whether the process really runs the hashed file is checked
// afterwards by comparing /proc/PID/exe with the inode that was hashed.
#pragma once

#include <map>
#include <optional>
#include <string>
#include <sys/types.h>
#include <tuple>
#include <vector>

#include "capture/borrowed_fds.hpp"
#include "capture/notify_listener.hpp"
#include "session/capture_events.hpp"
#include "util/error.hpp"

namespace asocat::capture {

struct FileIdentity {
    dev_t device = 0;
    ino_t inode = 0;
    bool operator==(const FileIdentity&) const = default;
};

struct PendingExec {
    session::ProcessExec facts;              // outcome still unknown
    std::optional<FileIdentity> hashed;      // the file opened and hashed
    std::optional<FileIdentity> interpreter; // a script's #! interpreter
    std::optional<FileIdentity> before;      // /proc/PID/exe before the call
    std::vector<int> close_on_exec;          // descriptors the exec will close
};

// Limits on what is read of an exec's arguments.
inline constexpr std::size_t kMaxExecArgs = 4096;
inline constexpr std::size_t kMaxExecArgBytes = 256 * 1024;

class ExecInspector {
public:
    // Reads execve/execveat's path and argv and hashes the file. Errors: ENOENT if the call is
    // no longer pending; a file that cannot be opened is not an error (the exec will most
    // likely fail the same way) and leaves `hashed` empty.
    util::Expected<PendingExec> inspect(const NotifyListener& listener, const Notification& call,
                                        BorrowedFds& borrowed, const std::vector<int>& streams);

    // After the call was let through and the process made its next move.
    static session::ExecOutcome outcome(pid_t pid, const PendingExec& exec);

private:
    struct Hashed {
        std::string sha256;
        std::optional<std::string> interpreter;
    };
    // Keyed by device, inode, size and change time: a fork-and-exec storm hashes once.
    std::map<std::tuple<dev_t, ino_t, off_t, std::int64_t, long>, Hashed> m_cache;
};

// /proc/PID/exe's inode, if the process is still there.
std::optional<FileIdentity> executable_identity(pid_t pid);

} // namespace asocat::capture
