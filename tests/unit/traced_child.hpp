// A forked child that runs a test body under a NotifyFilter, with its listener handed to the
// test process (which answers the child's trapped calls). Shared by the capture unit tests.
#pragma once

#include <fcntl.h>
#include <poll.h>
#include <unistd.h>

#include <catch2/catch.hpp>
#include <functional>
#include <optional>
#include <sys/socket.h>
#include <sys/wait.h>

#include "capture/fd_passing.hpp"
#include "capture/notify_filter.hpp"
#include "capture/notify_listener.hpp"

namespace asocat::test {

// A child running `body` under `filter`, its listener in the test process.
struct TracedChild {
    pid_t pid = -1;
    std::optional<capture::NotifyListener> listener;

    TracedChild(const capture::NotifyFilter& filter, const std::function<int()>& body) {
        int channel[2];
        REQUIRE(::socketpair(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0, channel) == 0);
        pid = ::fork();
        REQUIRE(pid >= 0);
        if (pid == 0) {
            ::close(channel[0]);
            const auto installed = filter.install();
            if (installed.listener < 0) {
                ::_exit(100);
            }
            const bool close_on_exec = (::fcntl(installed.listener, F_GETFD) & FD_CLOEXEC) != 0;
            if (!close_on_exec || capture::send_fd(channel[1], installed.listener) != 0) {
                ::_exit(101);
            }
            ::close(installed.listener);
            ::close(channel[1]);
            ::_exit(body());
        }
        ::close(channel[1]);
        auto fd = capture::receive_fd(channel[0]);
        ::close(channel[0]);
        REQUIRE(fd);
        auto adopted = capture::NotifyListener::adopt(std::move(*fd));
        REQUIRE(adopted);
        listener.emplace(std::move(*adopted));
    }

    // The next notification; fails the test, rather than hanging it, if none comes in 10 s.
    asocat::util::Expected<capture::Notification> receive() {
        pollfd ready{listener->fd(), POLLIN, 0};
        REQUIRE(::poll(&ready, 1, 10'000) == 1);
        REQUIRE((ready.revents & POLLIN) != 0);
        return listener->receive();
    }

    // The child's wait status.
    int wait() {
        int status = 0;
        REQUIRE(::waitpid(pid, &status, 0) == pid);
        return status;
    }
};

inline bool exited_with(int status, int code) {
    return WIFEXITED(status) && WEXITSTATUS(status) == code;
}

} // namespace asocat::test
