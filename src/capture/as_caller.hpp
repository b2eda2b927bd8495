// A unix socket path is resolved, and a socket file created, as the caller would: relative to
// its working directory and with its umask (socat's umask= option sets it just before bind).
// For the duration of one call (bind, connect, sendto, sendmsg) the supervisor takes on both.
#pragma once

#include <optional>
#include <string_view>
#include <sys/stat.h>
#include <sys/types.h>

#include "util/scoped_fd.hpp"

namespace asocat::capture {

class AsCaller {
public:
    // `address`: the sockaddr bytes the call passed; nothing changes unless it is AF_UNIX.
    AsCaller(pid_t pid, std::string_view address);
    AsCaller(const AsCaller&) = delete;
    AsCaller& operator=(const AsCaller&) = delete;
    ~AsCaller();

private:
    util::ScopedFd m_saved;
    std::optional<mode_t> m_umask;
};

} // namespace asocat::capture
