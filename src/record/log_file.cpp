#include "record/log_file.hpp"

#include <fcntl.h>
#include <unistd.h>

#include <cerrno>
#include <sys/file.h>
#include <sys/stat.h>

#include "util/io.hpp"

namespace asocat::record {
namespace {

// Holds flock(LOCK_EX) for one append.
class ExclusiveLock {
public:
    explicit ExclusiveLock(int fd) : m_fd(fd) {
        while (::flock(m_fd, LOCK_EX) != 0) {
            if (errno != EINTR) {
                m_errno = errno;
                return;
            }
        }
        m_held = true;
    }
    ExclusiveLock(const ExclusiveLock&) = delete;
    ExclusiveLock& operator=(const ExclusiveLock&) = delete;
    ~ExclusiveLock() {
        if (m_held) {
            ::flock(m_fd, LOCK_UN);
        }
    }
    bool held() const { return m_held; }
    int error() const { return m_errno; }

private:
    int m_fd;
    bool m_held = false;
    int m_errno = 0;
};

std::string check_log_file(const struct stat& st) {
    if (!S_ISREG(st.st_mode)) {
        return "is not a regular file";
    }
    if (st.st_uid != ::geteuid()) {
        return "is owned by uid " + std::to_string(st.st_uid) + ", not " +
               std::to_string(::geteuid());
    }
    if (st.st_nlink != 1) {
        return "has " + std::to_string(st.st_nlink) + " hard links; a log file must have one";
    }
    if ((st.st_mode & (S_IWGRP | S_IWOTH)) != 0) {
        return "is writable by group or others";
    }
    return {};
}

} // namespace

util::Expected<LogFile> LogFile::open(const std::string& directory, const util::TrustPolicy& policy,
                                      bool create_directory) {
    auto dir = util::open_trusted_directory(directory, policy, create_directory);
    if (!dir) {
        return dir.error().with_context("log directory");
    }
    const std::string path = (dir->path == "/" ? std::string() : dir->path) + "/" + kLogFileName;
    // Refuse what is not a regular file before opening it: opening a planted FIFO or device
    // could block, fail obscurely (ENXIO) or have side effects.
    struct stat existing {};
    if (::fstatat(dir->fd.get(), kLogFileName, &existing, AT_SYMLINK_NOFOLLOW) == 0 &&
        !S_ISREG(existing.st_mode)) {
        return util::Error("audit log " + path +
                               (S_ISLNK(existing.st_mode)
                                    ? " is a symbolic link; refusing to follow it"
                                    : " is not a regular file"),
                           S_ISLNK(existing.st_mode) ? ELOOP : EPERM);
    }
    // O_NOFOLLOW: a planted symlink fails with ELOOP. O_NONBLOCK: a planted FIFO cannot hang us.
    util::ScopedFd fd(::openat(
        dir->fd.get(), kLogFileName,
        O_WRONLY | O_APPEND | O_CREAT | O_NOFOLLOW | O_NONBLOCK | O_NOCTTY | O_CLOEXEC, 0600));
    if (!fd) {
        const int err = errno;
        if (err == ELOOP) {
            return util::Error("audit log " + path + " is a symbolic link; refusing to follow it",
                               ELOOP);
        }
        return util::Error::from_errno("cannot open audit log " + path, err);
    }
    struct stat st {};
    if (::fstat(fd.get(), &st) != 0) {
        return util::Error::from_errno("cannot stat audit log " + path);
    }
    if (const auto why = check_log_file(st); !why.empty()) {
        return util::Error("audit log " + path + " " + why, EPERM);
    }
    if (::fcntl(fd.get(), F_SETFL, O_WRONLY | O_APPEND) != 0) {
        return util::Error::from_errno("cannot set flags on audit log " + path);
    }
    return LogFile(std::move(fd), path);
}

util::Expected<void> LogFile::append(std::string_view line) {
    const ExclusiveLock lock(m_fd.get());
    if (!lock.held()) {
        return util::Error::from_errno("cannot lock audit log " + m_path, lock.error());
    }
    struct stat st {};
    if (::fstat(m_fd.get(), &st) != 0) {
        return util::Error::from_errno("cannot stat audit log " + m_path);
    }
    std::size_t written = 0;
    auto result = util::write_all(m_fd.get(), line, &written);
    if (result) {
        return {};
    }
    const int err = result.error().errno_value();
    if (written > 0 && ::ftruncate(m_fd.get(), st.st_size) != 0) {
        return util::Error::from_errno(
            "cannot write audit log " + m_path + " and cannot remove the partial record", err);
    }
    return util::Error::from_errno("cannot write audit log " + m_path, err);
}

util::Expected<void> LogFile::sync() {
    while (::fdatasync(m_fd.get()) != 0) {
        if (errno != EINTR) {
            return util::Error::from_errno("cannot sync audit log " + m_path);
        }
    }
    return {};
}

} // namespace asocat::record
