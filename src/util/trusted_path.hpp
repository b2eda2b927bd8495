// Resolving paths that must not be redirected by anyone but their owner. Every directory on the
// way is opened (never re-looked-up by name), must belong to root or the trusted uid, and must
// not be writable by others unless it is sticky (like /tmp). Symbolic links are followed only if
// root or the trusted uid owns them. This is the defence against a planted symlink or a swapped
// directory between our check and our use (see SECURITY.md).
#pragma once

#include <string>
#include <sys/stat.h>
#include <sys/types.h>

#include "util/error.hpp"
#include "util/scoped_fd.hpp"

namespace asocat::util {

struct TrustPolicy {
    uid_t trusted_uid; // root (0) is always trusted as well
};

// A directory we hold open, with the canonical path we walked to reach it.
struct TrustedDirectory {
    ScopedFd fd; // O_PATH | O_DIRECTORY
    std::string path;
};

// A directory entry inside a trusted directory, after following trusted symlinks.
struct TrustedEntry {
    TrustedDirectory parent;
    std::string name;
    std::string path; // canonical: parent.path + "/" + name
};

// Opens absolute `path` as a directory; with `create`, missing components are made with mode
// 0700. The directory itself must not be writable by group or others, even if sticky.
Expected<TrustedDirectory> open_trusted_directory(const std::string& path,
                                                  const TrustPolicy& policy, bool create);

// Resolves absolute `path` to its final entry: the parent is trusted and, if the entry is a
// symlink owned by a trusted user, it is followed. The entry may not exist yet.
Expected<TrustedEntry> resolve_trusted_entry(const std::string& path, const TrustPolicy& policy);

// Whether an opened file may be trusted: owned by root or the trusted uid, not writable by
// group or others. Returns a sentence saying what is wrong, or an empty string.
std::string untrusted_file_reason(const struct stat& st, const TrustPolicy& policy);

// Opens (with O_CREAT in `flags`, creating 0600) file `name` in directory `dir`, to be read or
// written by us alone: no symlink, FIFO or device, owned by our euid, one link, not writable by
// group or others. `path` names it in messages. The descriptor is blocking and close-on-exec.
Expected<ScopedFd> open_private_file(int dir, const std::string& name, const std::string& path,
                                     int flags);

} // namespace asocat::util
