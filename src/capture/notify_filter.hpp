// The seccomp program socat runs under: the syscalls the capture engine must see raise a user
// notification, everything else is allowed untouched. Foreign ABIs (i386 via int 0x80, x32)
// kill the process: their numbers mean other calls, and a filter that only knows x86_64 numbers
// would let them through unseen.
//
// A syscall can be exempted when its arguments match exactly, e.g. socat's diagnostics poll
// `recvfrom(fd, buf, 519, MSG_DONTWAIT)`, which runs six times per relay iteration and moves no
// data of the session (DESIGN.md section 4); the exemption compares the length and flags, so a
// data recvfrom never matches it.
//
// The program is built before fork and installed by the child just before exec: installation
// allocates nothing and is a single seccomp(2) call.
#pragma once

#include <cstdint>
#include <linux/filter.h>
#include <optional>
#include <vector>

#include "util/error.hpp"
#include "util/scoped_fd.hpp"

namespace asocat::capture {

// A syscall let through without a notification when argument `length_arg` equals `length` and
// argument `flags_arg` equals `flags` (all 64 bits of each).
struct ArgumentExemption {
    int syscall_nr;
    unsigned length_arg;
    std::uint64_t length;
    unsigned flags_arg;
    std::uint64_t flags;
};

class NotifyFilter {
public:
    // `trapped`: syscall numbers (x86_64) that notify. Throws std::invalid_argument for a number
    // outside 0..1023 or an exemption argument index above 5.
    NotifyFilter(std::vector<int> trapped, std::vector<ArgumentExemption> exemptions);

    // Installs the program on the calling thread with a new listener, and returns the listener.
    // Meant for a freshly forked child: async-signal-safe (no allocation), and the errno of a
    // failure is kept for the parent to report. With no_new_privs, set-id programs socat
    // executes run without their privileges: seccomp requires it of a caller without
    // CAP_SYS_ADMIN, so it is set only then.
    struct Installed {
        int listener = -1; // close-on-exec, as the kernel creates it
        int error = 0;     // errno of the failed step when listener < 0
        const char* step = nullptr;
    };
    Installed install() const noexcept;

    const std::vector<sock_filter>& program() const { return m_program; }

private:
    std::vector<sock_filter> m_program;
};

} // namespace asocat::capture
