// A forked child that runs a test body under a NotifyFilter, with its listener taken by the
// test process (which answers the child's trapped calls). Shared by the capture unit tests.
#pragma once

#include <fcntl.h>
#include <poll.h>
#include <unistd.h>

#include <catch2/catch.hpp>
#include <cerrno>
#include <functional>
#include <optional>
#include <sys/syscall.h>
#include <sys/wait.h>

#include "capture/listener_handover.hpp"
#include "capture/notify_filter.hpp"
#include "capture/notify_listener.hpp"

namespace asocat::test {

// A child running `body` under `filter`, its listener in the test process.
struct TracedChild {
    pid_t pid = -1;
    std::optional<capture::NotifyListener> listener;
    util::ScopedFd pidfd;

    TracedChild(const capture::NotifyFilter& filter, const std::function<int()>& body) {
        // The child makes no trapped call to hand its listener over (see listener_handover).
        auto handover = capture::ListenerHandover::create();
        REQUIRE(handover);
        pid = ::fork();
        REQUIRE(pid >= 0);
        if (pid == 0) {
            if (handover->install_and_publish(filter) != 0) {
                ::_exit(100);
            }
            ::_exit(body());
        }
        pidfd.reset(static_cast<int>(::syscall(SYS_pidfd_open, pid, 0)));
        REQUIRE(pidfd);
        auto fd = handover->take(pidfd.get());
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

    // The child's wait status. Calls it still makes on its way out (exit_group is trapped by
    // socat's filter) are let through; the test fails, rather than hangs, if the child has not
    // ended within 10 s.
    int wait() {
        for (;;) {
            pollfd ready[2] = {{pidfd.get(), POLLIN, 0}, {listener->fd(), POLLIN, 0}};
            REQUIRE(::poll(ready, 2, 10'000) > 0);
            if ((ready[0].revents & POLLIN) != 0) {
                break;
            }
            if ((ready[1].revents & POLLIN) != 0) {
                if (auto call = listener->receive()) {
                    (void)listener->allow(call->id); // ENOENT: it died meanwhile
                }
            }
        }
        int status = 0;
        REQUIRE(::waitpid(pid, &status, 0) == pid);
        return status;
    }
};

// In a child: makes a call socat's filter refuses; true if the answer was ENOSYS.
inline bool refused_call_fails_with_enosys() {
    return ::syscall(SYS_copy_file_range, 0, nullptr, 1, nullptr, 1, 0) == -1 && errno == ENOSYS;
}

// In the test process: answers that call of `child` with ENOSYS.
template <class Child>
void refuse_copy_file_range(Child& child) {
    auto call = child.receive();
    REQUIRE(call);
    CHECK(call->data.nr == SYS_copy_file_range);
    REQUIRE(child.listener->fail(call->id, ENOSYS));
}

inline bool exited_with(int status, int code) {
    return WIFEXITED(status) && WEXITSTATUS(status) == code;
}

} // namespace asocat::test
