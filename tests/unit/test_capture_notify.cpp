// The seccomp user-notification building blocks against the running kernel: a forked child
// installs a NotifyFilter, hands its listener over with send_fd, and makes real system calls;
// the test process answers them through NotifyListener.
#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <unistd.h>

#include <catch2/catch.hpp>
#include <cerrno>
#include <cstdio>
#include <functional>
#include <stdexcept>
#include <sys/socket.h>
#include <sys/syscall.h>
#include <sys/utsname.h>
#include <sys/wait.h>
#include <vector>

#include "capture/listener_handover.hpp"
#include "capture/notify_filter.hpp"
#include "capture/notify_listener.hpp"
#include "traced_child.hpp"

using namespace asocat;
using capture::NotifyFilter;
using capture::NotifyListener;
using test::exited_with;
using test::TracedChild;

namespace {

constexpr int kDiagnosticsLength = 519; // socat's diagnostics poll, see DESIGN.md section 4

} // namespace

TEST_CASE("a trapped call reaches the supervisor, which answers it", "[capture]") {
    const NotifyFilter filter({SYS_getppid, SYS_connect, SYS_dup}, {});
    SECTION("with a value it made up") {
        TracedChild child(filter, [] { return ::syscall(SYS_getppid) == 4242 ? 0 : 1; });
        auto call = child.receive();
        REQUIRE(call);
        CHECK(call->data.nr == SYS_getppid);
        CHECK(call->pid == child.pid);
        CHECK(child.listener->still_pending(call->id));
        REQUIRE(child.listener->succeed(call->id, 4242));
        CHECK_FALSE(child.listener->still_pending(call->id));
        CHECK(exited_with(child.wait(), 0));
    }
    SECTION("with an errno") {
        TracedChild child(
            filter, [] { return ::connect(-1, nullptr, 0) == -1 && errno == EACCES ? 0 : 1; });
        auto call = child.receive();
        REQUIRE(call);
        CHECK(call->data.nr == SYS_connect);
        REQUIRE(child.listener->fail(call->id, EACCES));
        CHECK(exited_with(child.wait(), 0));
    }
    SECTION("by letting the kernel run it") {
        const pid_t test_process = ::getpid();
        TracedChild child(filter, [test_process] { return ::getppid() == test_process ? 0 : 1; });
        auto call = child.receive();
        REQUIRE(call);
        REQUIRE(child.listener->allow(call->id));
        CHECK(exited_with(child.wait(), 0));
    }
    SECTION("with a descriptor installed in the caller") {
        int pipe_fds[2];
        REQUIRE(::pipe2(pipe_fds, O_CLOEXEC) == 0);
        TracedChild child(filter, [] {
            const int fd = ::dup(0); // answered with the test's pipe
            return fd >= 0 && ::write(fd, "x", 1) == 1 ? 0 : 1;
        });
        auto call = child.receive();
        REQUIRE(call);
        CHECK(call->data.nr == SYS_dup);
        auto installed = child.listener->succeed_with_fd(call->id, pipe_fds[1], false);
        REQUIRE(installed);
        CHECK(*installed >= 0);
        ::close(pipe_fds[1]);
        CHECK(exited_with(child.wait(), 0));
        char byte = 0;
        CHECK(::read(pipe_fds[0], &byte, 1) == 1);
        CHECK(byte == 'x');
        ::close(pipe_fds[0]);
    }
}

TEST_CASE("the exemption lets exactly the diagnostics poll through", "[capture]") {
    const NotifyFilter filter({SYS_recvfrom},
                              {{SYS_recvfrom, 2, kDiagnosticsLength, 3, MSG_DONTWAIT}});
    TracedChild child(filter, [] {
        int pair[2];
        if (::socketpair(AF_UNIX, SOCK_DGRAM, 0, pair) != 0) {
            return 2;
        }
        char buffer[600];
        // Not trapped: the kernel itself says there is nothing to read.
        if (::recvfrom(pair[0], buffer, kDiagnosticsLength, MSG_DONTWAIT, nullptr, nullptr) != -1 ||
            errno != EAGAIN) {
            return 3;
        }
        // Same length, other flags; other length, same flags: both trapped (answered 1 and 2).
        if (::recvfrom(pair[0], buffer, kDiagnosticsLength, 0, nullptr, nullptr) != 1) {
            return 4;
        }
        return ::recvfrom(pair[0], buffer, 520, MSG_DONTWAIT, nullptr, nullptr) == 2 ? 0 : 5;
    });
    std::vector<std::pair<std::uint64_t, std::uint64_t>> seen; // (length, flags)
    for (std::int64_t answer = 1; answer <= 2; ++answer) {
        auto call = child.receive();
        REQUIRE(call);
        seen.emplace_back(call->data.args[2], call->data.args[3]);
        REQUIRE(child.listener->succeed(call->id, answer));
    }
    CHECK(seen == std::vector<std::pair<std::uint64_t, std::uint64_t>>{{kDiagnosticsLength, 0},
                                                                       {520, MSG_DONTWAIT}});
    CHECK(exited_with(child.wait(), 0));
}

TEST_CASE("x32 system calls kill the process instead of passing unseen", "[capture]") {
    const NotifyFilter filter({SYS_getppid}, {});
    TracedChild child(filter, [] { return static_cast<int>(::syscall(SYS_getppid | 0x40000000)); });
    const int status = child.wait();
    CHECK(WIFSIGNALED(status));
    CHECK(WTERMSIG(status) == SIGSYS);
}

TEST_CASE("without a supervisor, trapped calls fail with ENOSYS", "[capture]") {
    // socat must then die (the launcher's job); here: the kernel's side of that contract. Once
    // the child has dropped its own copy (socat's goes with its exec), the supervisor's is the
    // last: closing it leaves trapped calls failing instead of waiting.
    int gate[2];
    REQUIRE(::pipe2(gate, O_CLOEXEC) == 0);
    const NotifyFilter filter({SYS_getppid}, {});
    auto handover = capture::ListenerHandover::create();
    REQUIRE(handover);
    const pid_t pid = ::fork();
    REQUIRE(pid >= 0);
    if (pid == 0) {
        if (handover->install_and_publish(filter) != 0) {
            ::_exit(100);
        }
        char byte = 0;
        if (::read(gate[0], &byte, 1) != 1) { // until the supervisor's copy is gone
            ::_exit(2);
        }
        ::close(handover->published_listener());
        ::_exit(::syscall(SYS_getppid) == -1 && errno == ENOSYS ? 0 : 1);
    }
    util::ScopedFd pidfd(static_cast<int>(::syscall(SYS_pidfd_open, pid, 0)));
    REQUIRE(pidfd);
    {
        auto listener = handover->take(pidfd.get());
        REQUIRE(listener);
    } // closed here
    REQUIRE(::write(gate[1], "g", 1) == 1);
    int status = 0;
    REQUIRE(::waitpid(pid, &status, 0) == pid);
    CHECK(exited_with(status, 0));
    ::close(gate[0]);
    ::close(gate[1]);
}

TEST_CASE("synchronous wake-up is available from Linux 6.6", "[capture]") {
    utsname names{};
    REQUIRE(::uname(&names) == 0);
    int major = 0;
    int minor = 0;
    REQUIRE(std::sscanf(names.release, "%d.%d", &major, &minor) == 2);
    const NotifyFilter filter({SYS_getppid}, {});
    TracedChild child(filter, [] { return ::syscall(SYS_getppid) == 7 ? 0 : 1; });
    const auto enabled = child.listener->enable_sync_wakeup();
    CHECK(enabled.has_value() == (major > 6 || (major == 6 && minor >= 6)));
    auto call = child.receive();
    REQUIRE(call);
    REQUIRE(child.listener->succeed(call->id, 7));
    CHECK(exited_with(child.wait(), 0));
}

TEST_CASE("a filter that cannot be expressed is refused", "[capture]") {
    CHECK_THROWS_AS(NotifyFilter({-1}, {}), std::invalid_argument);
    CHECK_THROWS_AS(NotifyFilter({1024}, {}), std::invalid_argument);
    CHECK_THROWS_AS(NotifyFilter({SYS_read}, {{SYS_recvfrom, 2, 1, 3, 0}}), std::invalid_argument);
    CHECK_THROWS_AS(NotifyFilter({SYS_recvfrom}, {{SYS_recvfrom, 6, 1, 3, 0}}),
                    std::invalid_argument);
    std::vector<int> many;
    for (int nr = 0; nr < 400; ++nr) {
        many.push_back(nr);
    }
    CHECK_THROWS_AS(NotifyFilter(many, {}), std::invalid_argument); // beyond BPF jump range
}
