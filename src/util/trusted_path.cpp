#include "util/trusted_path.hpp"

#include <fcntl.h>
#include <unistd.h>

#include <cerrno>
#include <cstdio>
#include <deque>
#include <string>
#include <sys/stat.h>
#include <vector>

#include "util/io.hpp"

namespace asocat::util {
namespace {

constexpr int kMaxSymlinks = 40; // the kernel's own limit (MAXSYMLINKS)

std::string octal_mode(mode_t mode) {
    char buffer[8];
    std::snprintf(buffer, sizeof buffer, "%04o", static_cast<unsigned>(mode & 07777));
    return buffer;
}

bool owner_trusted(const struct stat& st, const TrustPolicy& policy) {
    return st.st_uid == 0 || st.st_uid == policy.trusted_uid;
}

std::string owner_problem(const struct stat& st, const TrustPolicy& policy) {
    return "owned by uid " + std::to_string(st.st_uid) + ", not root" +
           (policy.trusted_uid != 0 ? " or uid " + std::to_string(policy.trusted_uid) : "");
}

// Empty if a directory on the way may be trusted.
std::string directory_problem(const struct stat& st, const TrustPolicy& policy, bool final) {
    if (!owner_trusted(st, policy)) {
        return owner_problem(st, policy);
    }
    const bool writable_by_others = (st.st_mode & (S_IWGRP | S_IWOTH)) != 0;
    const bool sticky = (st.st_mode & S_ISVTX) != 0;
    if (writable_by_others && (final || !sticky)) {
        return "writable by group or others (mode " + octal_mode(st.st_mode) + ")";
    }
    return {};
}

std::vector<std::string> split_components(const std::string& path) {
    std::vector<std::string> parts;
    std::string current;
    for (const char c : path) {
        if (c == '/') {
            if (!current.empty()) {
                parts.push_back(std::move(current));
                current.clear();
            }
        } else {
            current.push_back(c);
        }
    }
    if (!current.empty()) {
        parts.push_back(std::move(current));
    }
    return parts;
}

std::string join(const std::vector<std::string>& names) {
    if (names.empty()) {
        return "/";
    }
    std::string out;
    for (const auto& name : names) {
        out += "/" + name;
    }
    return out;
}

enum class Final { directory, entry };

// The walk itself. A stack of opened directories stands for the canonical path, so ".." and
// symlink targets are resolved against what we hold open, not against names.
class Walker {
public:
    Walker(const std::string& requested, const TrustPolicy& policy, bool create)
        : m_requested(requested), m_policy(policy), m_create(create) {}

    Expected<TrustedEntry> walk(Final final) {
        if (m_requested.empty() || m_requested.front() != '/') {
            return Error(m_requested + ": must be an absolute path");
        }
        if (auto root = reset_to_root(); !root) {
            return root.error();
        }
        std::deque<std::string> pending;
        for (auto& part : split_components(m_requested)) {
            pending.push_back(std::move(part));
        }
        int symlinks = 0;
        while (!pending.empty()) {
            std::string name = std::move(pending.front());
            pending.pop_front();
            if (name == ".") {
                continue;
            }
            if (name == "..") {
                if (m_dirs.size() > 1) {
                    m_dirs.pop_back();
                    m_names.pop_back();
                }
                continue;
            }
            const bool last = pending.empty();
            struct stat st {};
            if (::fstatat(top(), name.c_str(), &st, AT_SYMLINK_NOFOLLOW) != 0) {
                const int err = errno;
                if (err == ENOENT && last && final == Final::entry) {
                    return entry(std::move(name));
                }
                if (err != ENOENT || !m_create) {
                    return failure(join_with(name), err);
                }
                if (::mkdirat(top(), name.c_str(), 0700) != 0 && errno != EEXIST) {
                    return failure("cannot create " + join_with(name), errno);
                }
                if (::fstatat(top(), name.c_str(), &st, AT_SYMLINK_NOFOLLOW) != 0) {
                    return failure(join_with(name), errno);
                }
            }
            if (S_ISLNK(st.st_mode)) {
                if (!owner_trusted(st, m_policy)) {
                    return problem(join_with(name) + " is a symbolic link " +
                                   owner_problem(st, m_policy));
                }
                if (++symlinks > kMaxSymlinks) {
                    return failure(join_with(name), ELOOP);
                }
                auto target = read_link(top(), name);
                if (!target) {
                    return target.error().with_context(m_requested);
                }
                if (!target->empty() && target->front() == '/') {
                    if (auto root = reset_to_root(); !root) {
                        return root.error();
                    }
                }
                auto parts = split_components(*target);
                pending.insert(pending.begin(), parts.begin(), parts.end());
                continue;
            }
            if (last && final == Final::entry) {
                return entry(std::move(name));
            }
            if (!S_ISDIR(st.st_mode)) {
                return failure(join_with(name), ENOTDIR);
            }
            if (auto pushed = push(name); !pushed) {
                return pushed.error();
            }
        }
        if (final == Final::entry) {
            return Error(m_requested + ": names a directory, not a file", EISDIR);
        }
        // The directory we end in must be ours alone: sticky is no excuse here.
        struct stat st {};
        if (::fstat(top(), &st) != 0) {
            return failure(join(m_names), errno);
        }
        if (const auto why = directory_problem(st, m_policy, true); !why.empty()) {
            return problem(join(m_names) + " is " + why);
        }
        TrustedEntry result{{std::move(m_dirs.back()), join(m_names)}, {}, {}};
        result.path = result.parent.path;
        return result;
    }

private:
    int top() const { return m_dirs.back().get(); }

    std::string join_with(const std::string& name) const {
        auto names = m_names;
        names.push_back(name);
        return join(names);
    }

    Error failure(const std::string& what, int err) const {
        if (what == m_requested) {
            return Error::from_errno(what, err);
        }
        return Error::from_errno(m_requested + ": " + what, err);
    }

    Error problem(const std::string& what) const {
        const std::string prefix = what.rfind(m_requested, 0) == 0 ? "" : m_requested + ": ";
        return Error(prefix + what + "; it could be used to redirect this path", EPERM);
    }

    Expected<void> reset_to_root() {
        m_dirs.clear();
        m_names.clear();
        ScopedFd root(::open("/", O_PATH | O_DIRECTORY | O_CLOEXEC));
        if (!root) {
            return Error::from_errno("open /");
        }
        struct stat st {};
        if (::fstat(root.get(), &st) != 0) {
            return Error::from_errno("stat /");
        }
        if (const auto why = directory_problem(st, m_policy, false); !why.empty()) {
            return problem("/ is " + why);
        }
        m_dirs.push_back(std::move(root));
        return {};
    }

    Expected<void> push(const std::string& name) {
        ScopedFd next(::openat(top(), name.c_str(), O_PATH | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC));
        if (!next) {
            return failure(join_with(name), errno);
        }
        struct stat st {};
        if (::fstat(next.get(), &st) != 0) {
            return failure(join_with(name), errno);
        }
        if (const auto why = directory_problem(st, m_policy, false); !why.empty()) {
            return problem(join_with(name) + " is " + why);
        }
        m_dirs.push_back(std::move(next));
        m_names.push_back(name);
        return {};
    }

    TrustedEntry entry(std::string name) {
        TrustedEntry result{{std::move(m_dirs.back()), join(m_names)}, std::move(name), {}};
        result.path = join_with(result.name);
        return result;
    }

    const std::string& m_requested;
    const TrustPolicy& m_policy;
    bool m_create;
    std::vector<ScopedFd> m_dirs;
    std::vector<std::string> m_names;
};

// Why an opened file is not private to us (a regular file we own, one link, not writable by
// group or others), or an empty string.
std::string private_file_reason(const struct stat& st) {
    if (!S_ISREG(st.st_mode)) {
        return "is not a regular file";
    }
    if (st.st_uid != ::geteuid()) {
        return "is owned by uid " + std::to_string(st.st_uid) + ", not " +
               std::to_string(::geteuid());
    }
    if (st.st_nlink != 1) {
        return "has " + std::to_string(st.st_nlink) + " hard links; a private file must have one";
    }
    if ((st.st_mode & (S_IWGRP | S_IWOTH)) != 0) {
        return "is writable by group or others";
    }
    return {};
}

} // namespace

Expected<ScopedFd> open_private_file(int dir, const std::string& name, const std::string& path,
                                     int flags) {
    // Refuse what is not a regular file before opening it: opening a planted FIFO or device
    // could block, fail obscurely (ENXIO) or have side effects.
    struct stat existing {};
    if (::fstatat(dir, name.c_str(), &existing, AT_SYMLINK_NOFOLLOW) == 0 &&
        !S_ISREG(existing.st_mode)) {
        const bool link = S_ISLNK(existing.st_mode);
        return Error(
            path + (link ? " is a symbolic link; refusing to follow it" : " is not a regular file"),
            link ? ELOOP : EPERM);
    }
    ScopedFd fd(
        ::openat(dir, name.c_str(), flags | O_NOFOLLOW | O_NONBLOCK | O_NOCTTY | O_CLOEXEC, 0600));
    if (!fd) {
        const int err = errno;
        if (err == ELOOP) {
            return Error(path + " is a symbolic link; refusing to follow it", ELOOP);
        }
        return Error::from_errno("cannot open " + path, err);
    }
    struct stat st {};
    if (::fstat(fd.get(), &st) != 0) {
        return Error::from_errno("cannot stat " + path);
    }
    if (const auto why = private_file_reason(st); !why.empty()) {
        return Error(path + " " + why, EPERM);
    }
    const int status_flags = ::fcntl(fd.get(), F_GETFL);
    if (status_flags < 0 || ::fcntl(fd.get(), F_SETFL, status_flags & ~O_NONBLOCK) != 0) {
        return Error::from_errno("cannot set flags on " + path);
    }
    return fd;
}

Expected<TrustedDirectory> open_trusted_directory(const std::string& path,
                                                  const TrustPolicy& policy, bool create) {
    auto walked = Walker(path, policy, create).walk(Final::directory);
    if (!walked) {
        return walked.error();
    }
    return std::move(walked->parent);
}

Expected<TrustedEntry> resolve_trusted_entry(const std::string& path, const TrustPolicy& policy) {
    return Walker(path, policy, false).walk(Final::entry);
}

std::string untrusted_file_reason(const struct stat& st, const TrustPolicy& policy) {
    if (!owner_trusted(st, policy)) {
        return owner_problem(st, policy);
    }
    if ((st.st_mode & (S_IWGRP | S_IWOTH)) != 0) {
        return "writable by group or others (mode " + octal_mode(st.st_mode) + ")";
    }
    return {};
}

} // namespace asocat::util
