// Moving a file descriptor between processes over a UNIX socket (SCM_RIGHTS): how the seccomp
// listener, created inside the child that will exec socat, reaches the supervisor before the
// child makes any call the filter traps.
#pragma once

#include "util/error.hpp"
#include "util/scoped_fd.hpp"

namespace asocat::capture {

// Sends `fd` with a one-byte message. For a freshly forked child: no allocation; returns 0 or
// the errno of the failure.
int send_fd(int socket, int fd) noexcept;

// Receives one descriptor sent by send_fd, close-on-exec. An orderly end of the stream before
// it (the sender died or gave up) is an error with errno ECONNRESET.
util::Expected<util::ScopedFd> receive_fd(int socket);

} // namespace asocat::capture
