#include "launch/socat_locator.hpp"

#include <fcntl.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <optional>
#include <sys/stat.h>
#include <vector>

#include "util/sha256.hpp"
#include "util/trusted_path.hpp"

namespace asocat::launch {
namespace {

constexpr int kNotFound = 127;
constexpr int kNotExecutable = 126;
constexpr int kRefused = 125;

struct ImageScan {
    std::string sha256;
    bool has_marker = false;
};

// One pass: SHA-256 of the whole file, and whether the audited-socat marker occurs in it.
util::Expected<ImageScan> scan_image(int fd) {
    const std::string_view marker = image_marker();
    util::Sha256 hasher;
    std::string window; // tail of the previous chunk, so a marker split across chunks is found
    std::vector<char> buffer(1 << 16);
    bool found = false;
    off_t offset = 0;
    for (;;) {
        const ssize_t n = ::pread(fd, buffer.data(), buffer.size(), offset);
        if (n < 0) {
            if (errno == EINTR) {
                continue;
            }
            return util::Error::from_errno("read");
        }
        if (n == 0) {
            break;
        }
        offset += n;
        const std::string_view chunk(buffer.data(), static_cast<std::size_t>(n));
        hasher.update(chunk);
        if (!found) {
            window.append(chunk);
            found = window.find(marker) != std::string::npos;
            window.erase(0, window.size() - std::min(window.size(), marker.size() - 1));
        }
    }
    return ImageScan{util::to_hex(hasher.finish()), found};
}

enum class Verdict { usable, absent, itself };

struct Candidate {
    Verdict verdict = Verdict::absent;
    LocatedSocat socat;
};

// Opens and checks one candidate path. Absence is a verdict; everything else wrong is fatal.
Candidate examine(const std::string& path, const util::TrustPolicy& policy, const SelfImage& self) {
    auto entry = util::resolve_trusted_entry(path, policy);
    if (!entry) {
        if (entry.error().errno_value() == ENOENT || entry.error().errno_value() == ENOTDIR) {
            return {};
        }
        throw util::FatalError(kRefused, entry.error().with_context("socat"));
    }
    util::ScopedFd fd(::openat(entry->parent.fd.get(), entry->name.c_str(),
                               O_RDONLY | O_NOFOLLOW | O_NONBLOCK | O_NOCTTY | O_CLOEXEC));
    if (!fd) {
        if (errno == ENOENT) {
            return {};
        }
        throw util::FatalError(kNotExecutable, util::Error::from_errno("socat " + entry->path));
    }
    struct stat st {};
    if (::fstat(fd.get(), &st) != 0) {
        throw util::FatalError(kRefused, util::Error::from_errno("socat " + entry->path));
    }
    if (!S_ISREG(st.st_mode)) {
        throw util::FatalError(kNotExecutable, "socat " + entry->path + " is not a regular file");
    }
    const FileIdentity identity{st.st_dev, st.st_ino};
    if (identity == self.identity) {
        return {Verdict::itself, {}};
    }
    if (const auto why = util::untrusted_file_reason(st, policy); !why.empty()) {
        throw util::FatalError(kRefused,
                               "socat " + entry->path + " is " + why + "; refusing to run it");
    }
    if (::faccessat(entry->parent.fd.get(), entry->name.c_str(), X_OK,
                    AT_EACCESS | AT_SYMLINK_NOFOLLOW) != 0) {
        throw util::FatalError(kNotExecutable, util::Error::from_errno("socat " + entry->path));
    }
    auto scan = scan_image(fd.get());
    if (!scan) {
        throw util::FatalError(kRefused, scan.error().with_context("hashing " + entry->path));
    }
    if (scan->has_marker) {
        return {Verdict::itself, {}};
    }
    return {Verdict::usable, LocatedSocat{entry->path, std::move(fd), identity, st.st_ctim,
                                          scan->sha256, std::string()}};
}

std::vector<std::string> path_directories(const config::Environment& env) {
    std::vector<std::string> dirs;
    const auto path = env.get("PATH");
    if (!path) {
        return dirs;
    }
    std::size_t start = 0;
    while (start <= path->size()) {
        std::size_t end = path->find(':', start);
        if (end == std::string::npos) {
            end = path->size();
        }
        std::string dir = path->substr(start, end - start);
        // Relative entries (including the empty one, meaning ".") depend on where the user
        // stands; the real socat is never looked for there.
        if (!dir.empty() && dir.front() == '/') {
            dirs.push_back(std::move(dir));
        }
        start = end + 1;
    }
    return dirs;
}

} // namespace

bool still_unchanged(const LocatedSocat& socat) {
    const auto same = [&](const struct stat& st) {
        return FileIdentity{st.st_dev, st.st_ino} == socat.identity &&
               st.st_ctim.tv_sec == socat.ctime.tv_sec && st.st_ctim.tv_nsec == socat.ctime.tv_nsec;
    };
    struct stat at_path {};
    struct stat held {};
    return ::fstatat(AT_FDCWD, socat.path.c_str(), &at_path, AT_SYMLINK_NOFOLLOW) == 0 &&
           ::fstat(socat.fd.get(), &held) == 0 && same(at_path) && same(held);
}

void refuse_recursive_start(const SelfImage& self) {
    const pid_t parent = ::getppid();
    auto parent_image = process_image(parent);
    // Unreadable (another user's process, or gone): nothing to compare, and no loop is possible
    // through a process we could not have started.
    if (parent_image && *parent_image == self.identity) {
        throw util::FatalError(
            kRefused, "audited-socat (pid " + std::to_string(parent) +
                          ") ran audited-socat again as its socat; refusing to recurse. Point "
                          "socat_path (or " +
                          config::kEnvSocat + ") at the real socat binary");
    }
}

LocatedSocat locate_socat(const config::Settings& settings, const config::Privilege& privilege,
                          const config::Environment& env, const SelfImage& self,
                          const std::string& default_socat) {
    // Privileged runs trust only root; otherwise the user's own files are fine too.
    const util::TrustPolicy policy{privilege.privileged ? uid_t{0} : privilege.euid};

    if (settings.socat_path) {
        auto found = examine(*settings.socat_path, policy, self);
        const std::string origin = config::origin_name(settings.socat_path_origin);
        switch (found.verdict) {
        case Verdict::usable:
            found.socat.source = origin;
            return std::move(found.socat);
        case Verdict::absent:
            throw util::FatalError(kNotFound, "socat " + *settings.socat_path + " (from " + origin +
                                                  ") does not exist");
        case Verdict::itself:
            throw util::FatalError(kRefused,
                                   "socat " + *settings.socat_path + " (from " + origin +
                                       ") is audited-socat itself; refusing to recurse. Point it "
                                       "at the real socat binary");
        }
    }

    std::vector<std::pair<std::string, const char*>> candidates{{default_socat, "default"}};
    if (!privilege.privileged) {
        for (const auto& dir : path_directories(env)) {
            std::string path = dir + "/socat";
            const bool seen = std::any_of(candidates.begin(), candidates.end(),
                                          [&](const auto& c) { return c.first == path; });
            if (!seen) {
                candidates.emplace_back(std::move(path), "path");
            }
        }
    }
    std::vector<std::string> skipped;
    for (const auto& [path, source] : candidates) {
        // Only a directory that holds a socat can matter; an odd PATH entry without one must
        // not stop the search.
        struct stat st {};
        if (::stat(path.c_str(), &st) != 0) {
            continue;
        }
        auto found = examine(path, policy, self);
        if (found.verdict == Verdict::usable) {
            found.socat.source = source;
            return std::move(found.socat);
        }
        if (found.verdict == Verdict::itself) {
            skipped.push_back(path);
        }
    }
    std::string message = "the real socat was not found (looked for " + default_socat +
                          (privilege.privileged ? "" : " and socat on PATH");
    if (!skipped.empty()) {
        message += "; skipped audited-socat itself at";
        for (const auto& path : skipped) {
            message += " " + path;
        }
    }
    message += "). Install socat or set socat_path";
    throw util::FatalError(kNotFound, message);
}

} // namespace asocat::launch
