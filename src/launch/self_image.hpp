// Recognising audited-socat itself, so that it never runs itself as "socat": by inode (the same
// file, e.g. a `socat` symlink first in PATH) and by a marker string that every audited-socat
// binary contains (a copy of it installed as socat).
#pragma once

#include <optional>
#include <string>
#include <string_view>
#include <sys/types.h>

#include "util/error.hpp"

namespace asocat::launch {

// Present verbatim in every audited-socat binary's read-only data.
std::string_view image_marker();

struct FileIdentity {
    dev_t dev = 0;
    ino_t ino = 0;
    bool operator==(const FileIdentity&) const = default;
};

struct SelfImage {
    FileIdentity identity;
    std::optional<std::string> path; // /proc/self/exe as the kernel names it
};

util::Expected<SelfImage> current_image();

// The identity of the file another process is executing, via /proc/<pid>/exe.
util::Expected<FileIdentity> process_image(pid_t pid);

} // namespace asocat::launch
