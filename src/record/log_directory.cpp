#include "record/log_directory.hpp"

#include <fcntl.h>
#include <unistd.h>

#include <cerrno>
#include <cstdio>
#include <sys/file.h>
#include <sys/stat.h>

#include "util/io.hpp"

namespace asocat::record {

util::Expected<LogDirectory> LogDirectory::open(const std::string& path,
                                                const util::TrustPolicy& policy, bool create) {
    auto dir = util::open_trusted_directory(path, policy, create);
    if (!dir) {
        return dir.error().with_context("log directory");
    }
    return LogDirectory(std::move(dir->fd), std::move(dir->path));
}

std::string LogDirectory::path_of(std::string_view name) const {
    return (m_path == "/" ? std::string() : m_path) + "/" + std::string(name);
}

LogDirectory::Lock::~Lock() {
    if (m_fd) {
        ::flock(m_fd.get(), LOCK_UN);
    }
}

util::Expected<std::optional<LogDirectory::Lock>> LogDirectory::lock(LockWait wait) const {
    auto fd = util::open_private_file(m_fd.get(), kLockName, path_of(kLockName), O_RDWR | O_CREAT);
    if (!fd) {
        return fd.error().with_context("audit log lock");
    }
    const int operation = LOCK_EX | (wait == LockWait::unless_busy ? LOCK_NB : 0);
    while (::flock(fd->get(), operation) != 0) {
        if (errno == EWOULDBLOCK && wait == LockWait::unless_busy) {
            return std::optional<Lock>();
        }
        if (errno != EINTR) {
            return util::Error::from_errno("cannot lock " + path_of(kLockName));
        }
    }
    return std::optional<Lock>(Lock(fd->release()));
}

util::Expected<LogHandle> LogDirectory::open_log(std::string_view name, bool create) const {
    LogHandle log;
    log.path = path_of(name);
    auto fd = util::open_private_file(m_fd.get(), std::string(name), "audit log " + log.path,
                                      O_RDWR | O_APPEND | (create ? O_CREAT : 0));
    if (!fd) {
        return fd.error();
    }
    log.fd = std::move(*fd);
    if (auto refreshed = refresh(log); !refreshed) {
        return refreshed.error();
    }
    return log;
}

util::Expected<void> LogDirectory::refresh(LogHandle& log) {
    struct stat st {};
    if (::fstat(log.fd.get(), &st) != 0) {
        return util::Error::from_errno("cannot stat audit log " + log.path);
    }
    log.dev = st.st_dev;
    log.ino = st.st_ino;
    log.size = static_cast<std::uint64_t>(st.st_size);
    return {};
}

util::Expected<void> LogDirectory::append(LogHandle& log, std::string_view bytes) {
    if (auto refreshed = refresh(log); !refreshed) {
        return refreshed.error();
    }
    std::size_t written = 0;
    auto result = util::write_all(log.fd.get(), bytes, &written);
    if (result) {
        log.size += bytes.size();
        return {};
    }
    const int err = result.error().errno_value();
    if (written > 0 && ::ftruncate(log.fd.get(), static_cast<off_t>(log.size)) != 0) {
        return util::Error::from_errno(
            "cannot write audit log " + log.path + " and cannot remove the partial record", err);
    }
    return util::Error::from_errno("cannot write audit log " + log.path, err);
}

util::Expected<void> LogDirectory::sync(const LogHandle& log) {
    while (::fdatasync(log.fd.get()) != 0) {
        if (errno != EINTR) {
            return util::Error::from_errno("cannot sync audit log " + log.path);
        }
    }
    return {};
}

util::Expected<std::string> LogDirectory::read(const LogHandle& log, std::uint64_t offset,
                                               std::size_t length) {
    std::string out(length, '\0');
    std::size_t done = 0;
    while (done < length) {
        const ssize_t n = ::pread(log.fd.get(), out.data() + done, length - done,
                                  static_cast<off_t>(offset + done));
        if (n < 0) {
            if (errno == EINTR) {
                continue;
            }
            return util::Error::from_errno("cannot read audit log " + log.path);
        }
        if (n == 0) {
            out.resize(done); // the file is shorter than the caller thought
            break;
        }
        done += static_cast<std::size_t>(n);
    }
    return out;
}

bool LogDirectory::still_names(std::string_view name, const LogHandle& log) const {
    struct stat st {};
    return ::fstatat(m_fd.get(), std::string(name).c_str(), &st, AT_SYMLINK_NOFOLLOW) == 0 &&
           st.st_dev == log.dev && st.st_ino == log.ino;
}

util::Expected<void> LogDirectory::rename_exclusive(std::string_view from,
                                                    std::string_view to) const {
    if (::renameat2(m_fd.get(), std::string(from).c_str(), m_fd.get(), std::string(to).c_str(),
                    RENAME_NOREPLACE) != 0) {
        return util::Error::from_errno("cannot rename " + path_of(from) + " to " + path_of(to));
    }
    return {};
}

} // namespace asocat::record
