// The listener's way from the child that installs the filter to the supervisor: no trapped
// call on the way, nothing left behind in what the child executes, and a clear error when the
// child never gets that far. Plus the SCM_RIGHTS helpers for passing descriptors on.
#include <unistd.h>

#include <catch2/catch.hpp>
#include <cerrno>
#include <sys/socket.h>
#include <sys/syscall.h>
#include <sys/wait.h>

#include "capture/fd_passing.hpp"
#include "capture/listener_handover.hpp"
#include "capture/syscall_catalogue.hpp"
#include "traced_child.hpp"

using namespace asocat;
using test::exited_with;
using test::TracedChild;

TEST_CASE("the listener is handed over even when close and sendmsg are trapped", "[capture]") {
    // socat's real filter traps close, sendmsg and execve: a child that had to send its
    // listener would wait forever for an answer only the listener's holder can give.
    TracedChild child(capture::socat_filter(),
                      [] { return test::refused_call_fails_with_enosys() ? 0 : 1; });
    test::refuse_copy_file_range(child);
    CHECK(exited_with(child.wait(), 0));
}

TEST_CASE("what the child executes does not inherit the listener", "[capture]") {
    const capture::NotifyFilter filter({SYS_acct}, {}); // nothing here calls acct
    TracedChild child(filter, [] {
        ::execl("/bin/sh", "sh", "-c",
                "for f in /proc/$$/fd/*; do readlink \"$f\"; done | grep -q seccomp && exit 1; "
                "exit 0",
                static_cast<char*>(nullptr));
        return 2;
    });
    CHECK(exited_with(child.wait(), 0));
}

TEST_CASE("a child that ends before installing its filter is reported, not waited for",
          "[capture]") {
    auto handover = capture::ListenerHandover::create();
    REQUIRE(handover);
    const pid_t pid = ::fork();
    REQUIRE(pid >= 0);
    if (pid == 0) {
        ::_exit(3); // never installs
    }
    util::ScopedFd pidfd(static_cast<int>(::syscall(SYS_pidfd_open, pid, 0)));
    REQUIRE(pidfd);
    const auto taken = handover->take(pidfd.get());
    REQUIRE_FALSE(taken);
    CHECK(taken.error().errno_value() == ECHILD);
    int status = 0;
    REQUIRE(::waitpid(pid, &status, 0) == pid);
    CHECK(exited_with(status, 3));
}

TEST_CASE("descriptors pass over a UNIX socket, and a closed channel is an error", "[capture]") {
    int channel[2];
    REQUIRE(::socketpair(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0, channel) == 0);
    int pipe_fds[2];
    REQUIRE(::pipe(pipe_fds) == 0);
    REQUIRE(capture::send_fd(channel[0], pipe_fds[1]) == 0);
    ::close(pipe_fds[1]);
    auto received = capture::receive_fd(channel[1]);
    REQUIRE(received);
    CHECK((::fcntl(received->get(), F_GETFD) & FD_CLOEXEC) != 0);
    REQUIRE(::write(received->get(), "z", 1) == 1);
    char byte = 0;
    REQUIRE(::read(pipe_fds[0], &byte, 1) == 1);
    CHECK(byte == 'z');
    ::close(channel[0]);
    const auto none = capture::receive_fd(channel[1]);
    REQUIRE_FALSE(none);
    CHECK(none.error().errno_value() == ECONNRESET);
    ::close(channel[1]);
    ::close(pipe_fds[0]);
}
