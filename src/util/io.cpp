#include "util/io.hpp"

#include <fcntl.h>
#include <limits.h>
#include <unistd.h>

#include <cerrno>
#include <string>
#include <sys/stat.h>

namespace asocat::util {

Expected<Pipe> make_pipe() {
    int fds[2];
    if (::pipe2(fds, O_CLOEXEC) != 0) {
        return Error::from_errno("pipe2");
    }
    return Pipe{ScopedFd(fds[0]), ScopedFd(fds[1])};
}

Expected<void> write_all(int fd, std::string_view data, std::size_t* written) {
    std::size_t done = 0;
    while (done < data.size()) {
        const ssize_t n = ::write(fd, data.data() + done, data.size() - done);
        if (n < 0) {
            if (errno == EINTR) {
                continue;
            }
            const int saved = errno;
            if (written != nullptr) {
                *written = done;
            }
            return Error::from_errno("write", saved);
        }
        done += static_cast<std::size_t>(n);
    }
    if (written != nullptr) {
        *written = done;
    }
    return {};
}

Expected<std::string> read_all(int fd, std::size_t limit) {
    std::string out;
    char buffer[4096];
    for (;;) {
        const ssize_t n = ::read(fd, buffer, sizeof buffer);
        if (n < 0) {
            if (errno == EINTR) {
                continue;
            }
            return Error::from_errno("read");
        }
        if (n == 0) {
            return out;
        }
        if (out.size() + static_cast<std::size_t>(n) > limit) {
            return Error("more than " + std::to_string(limit) + " bytes", EFBIG);
        }
        out.append(buffer, static_cast<std::size_t>(n));
    }
}

Expected<std::string> read_small_file(int dirfd, const std::string& path, std::size_t limit,
                                      bool follow) {
    const int flags = O_RDONLY | O_CLOEXEC | O_NOCTTY | (follow ? 0 : O_NOFOLLOW);
    ScopedFd fd(::openat(dirfd, path.c_str(), flags));
    if (!fd) {
        return Error::from_errno(path);
    }
    auto content = read_all(fd.get(), limit);
    if (!content) {
        return content.error().with_context(path);
    }
    return content;
}

Expected<std::string> read_regular_file(const std::string& path, std::size_t limit) {
    ScopedFd fd(::open(path.c_str(), O_RDONLY | O_NONBLOCK | O_NOCTTY | O_CLOEXEC));
    struct stat st {};
    if (!fd || ::fstat(fd.get(), &st) != 0) {
        return Error::from_errno("cannot read " + path);
    }
    if (!S_ISREG(st.st_mode)) {
        return Error(path + " is not a regular file");
    }
    auto content = read_all(fd.get(), limit);
    if (!content) {
        return content.error().with_context(path);
    }
    return content;
}

Expected<std::string> read_link(int dirfd, const std::string& path) {
    char buffer[PATH_MAX + 1];
    const ssize_t n = ::readlinkat(dirfd, path.c_str(), buffer, sizeof buffer);
    if (n < 0) {
        return Error::from_errno("readlink " + path);
    }
    if (static_cast<std::size_t>(n) >= sizeof buffer) {
        return Error("readlink " + path + ": target too long", ENAMETOOLONG);
    }
    return std::string(buffer, static_cast<std::size_t>(n));
}

} // namespace asocat::util
