// The directory that holds the JSON-lines logs: audit.jsonl (the active file), rotated files
// audit-<time>-<log id>.jsonl, and the lock file .audit.lock. The directory must be private to
// its owner (util/trusted_path.hpp); files are created 0600 and refused if they are symlinks,
// FIFOs, devices, hard links or someone else's. Writers serialise on an exclusive flock of the
// lock file (a stable inode, unlike the active file, which rotation renames). A write that
// fails halfway is cut back, so the file never ends in a torn record of ours and what was there
// before is never touched.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <sys/types.h>

#include "util/error.hpp"
#include "util/scoped_fd.hpp"
#include "util/trusted_path.hpp"

namespace asocat::record {

inline constexpr const char* kActiveLogName = "audit.jsonl";
inline constexpr const char* kLockName = ".audit.lock";

// Whether taking the directory's lock may wait for another writer. The capture supervisor must
// not: the writer holding the lock may be a process it traces, parked in a call only the
// supervisor can complete.
enum class LockWait { block, unless_busy };

// An open log file: descriptor, identity and size when it was looked at.
struct LogHandle {
    util::ScopedFd fd;
    dev_t dev = 0;
    ino_t ino = 0;
    std::uint64_t size = 0;
    std::string path;
};

class LogDirectory {
public:
    // Opens (with `create`, creating 0700 as needed) the directory at `path`.
    static util::Expected<LogDirectory> open(const std::string& path,
                                             const util::TrustPolicy& policy, bool create);

    const std::string& path() const { return m_path; }
    std::string path_of(std::string_view name) const;

    // Holds the directory's exclusive lock for its lifetime.
    class Lock {
    public:
        Lock(Lock&&) noexcept = default;
        ~Lock();

    private:
        friend class LogDirectory;
        explicit Lock(int fd) : m_fd(fd) {}
        util::ScopedFd m_fd;
    };
    // With LockWait::unless_busy, nullopt when another writer holds the lock; with block, the
    // lock is always returned.
    util::Expected<std::optional<Lock>> lock(LockWait wait = LockWait::block) const;

    // Opens `name` for appending, creating it empty if `create` and it does not exist.
    util::Expected<LogHandle> open_log(std::string_view name, bool create) const;

    // Appends `bytes` completely or not at all (a partial write is truncated away).
    static util::Expected<void> append(LogHandle& log, std::string_view bytes);
    static util::Expected<void> sync(const LogHandle& log);
    // Reads [offset, offset + length) of an open log.
    static util::Expected<std::string> read(const LogHandle& log, std::uint64_t offset,
                                            std::size_t length);
    // Refreshes size (and identity) from the file.
    static util::Expected<void> refresh(LogHandle& log);

    // Whether `name` still is the file `log` has open.
    bool still_names(std::string_view name, const LogHandle& log) const;

    // Renames `from` to `to`, refusing to replace an existing file.
    util::Expected<void> rename_exclusive(std::string_view from, std::string_view to) const;

private:
    LogDirectory(util::ScopedFd fd, std::string path)
        : m_fd(std::move(fd)), m_path(std::move(path)) {}
    util::ScopedFd m_fd; // O_PATH directory
    std::string m_path;
};

} // namespace asocat::record
