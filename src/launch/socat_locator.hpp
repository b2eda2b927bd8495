// Finding the real socat: the configured path, else /usr/bin/socat, else the first `socat` on
// PATH that is not audited-socat itself (never when privileged). The chosen file is opened,
// checked (regular, executable, trusted owner and directories) and hashed from that same open
// file, so the digest describes what was checked.
#pragma once

#include <string>

#include "config/environment.hpp"
#include "config/privilege.hpp"
#include "config/settings.hpp"
#include "launch/self_image.hpp"
#include "util/scoped_fd.hpp"

namespace asocat::launch {

inline constexpr const char* kDefaultSocat = "/usr/bin/socat";

struct LocatedSocat {
    std::string path;  // canonical absolute path, what execve gets
    util::ScopedFd fd; // the file as opened and hashed
    FileIdentity identity;
    struct timespec ctime {}; // of the inode before hashing: any change to it moves this
    std::string sha256;
    std::string source; // "environment", "system-config", "user-config", "default", "path"
};

// Whether `path` still names the very file that was hashed, unmodified: same device and
// inode, same inode change time (a write, chmod, rename or link to it moves that). Checked
// after exec: the file execve found at `path` was then the hashed one, unless it was swapped
// away and back, which itself changes the change time. Unlike /proc/PID/exe, this cannot be
// confused by socat exec'ing another program itself (EXEC:...,nofork).
bool still_unchanged(const LocatedSocat& socat);

// Throws util::FatalError: 127 not found, 126 not executable, 125 refused (recursion or an
// untrusted file or directory).
// `default_socat` is tried first when nothing is configured (a parameter for tests only).
LocatedSocat locate_socat(const config::Settings& settings, const config::Privilege& privilege,
                          const config::Environment& env, const SelfImage& self,
                          const std::string& default_socat = kDefaultSocat);

// Refuses (FatalError 125) when our parent process is this same audited-socat: then a `socat`
// that audited-socat ran was really audited-socat again, and running on would loop.
void refuse_recursive_start(const SelfImage& self);

} // namespace asocat::launch
