// Borrowed descriptors act on the tracee's own open files, and keep them open: a pipe's reader
// sees EOF only once the supervisor has forgotten its duplicate of the write end. The child
// names descriptors to the supervisor through the arguments of a trapped getppid (which the
// kernel ignores and seccomp reports).
#include <fcntl.h>
#include <unistd.h>

#include <catch2/catch.hpp>
#include <cerrno>
#include <cstring>
#include <sys/syscall.h>

#include "capture/borrowed_fds.hpp"
#include "traced_child.hpp"

using namespace asocat;
using capture::NotifyFilter;
using test::exited_with;
using test::TracedChild;

namespace {
enum Request : long { write_hello = 0, forget_it = 1, borrow_missing = 2 };
}

TEST_CASE("a borrowed descriptor is the tracee's file, open until forgotten", "[capture]") {
    const NotifyFilter filter({SYS_getppid}, {});
    TracedChild child(filter, [] {
        int pipe_fds[2];
        if (::pipe2(pipe_fds, O_NONBLOCK) != 0) {
            return 10;
        }
        if (::syscall(SYS_getppid, pipe_fds[1], write_hello) != 0) {
            return 11;
        }
        ::close(pipe_fds[1]);
        char buffer[16];
        if (::read(pipe_fds[0], buffer, sizeof buffer) != 5 || std::memcmp(buffer, "hello", 5)) {
            return 12;
        }
        // Our write end is closed, the supervisor's duplicate is not: no EOF yet.
        if (::read(pipe_fds[0], buffer, sizeof buffer) != -1 || errno != EAGAIN) {
            return 13;
        }
        if (::syscall(SYS_getppid, pipe_fds[1], forget_it) != 0) {
            return 14;
        }
        if (::read(pipe_fds[0], buffer, sizeof buffer) != 0) {
            return 15; // EOF now
        }
        return ::syscall(SYS_getppid, 999, borrow_missing) == -1 && errno == EBADF ? 0 : 16;
    });
    capture::BorrowedFds borrowed;

    auto first = child.receive();
    REQUIRE(first);
    REQUIRE(first->data.args[1] == write_hello);
    const int tracee_fd = static_cast<int>(first->data.args[0]);
    auto fd = borrowed.borrow(*child.listener, *first, tracee_fd);
    REQUIRE(fd);
    CHECK(::write(*fd, "hello", 5) == 5);
    auto again = borrowed.borrow(*child.listener, *first, tracee_fd);
    REQUIRE(again);
    CHECK(*again == *fd); // one duplicate per process and descriptor
    CHECK(borrowed.size() == 1);
    REQUIRE(child.listener->succeed(first->id, 0));

    auto second = child.receive();
    REQUIRE(second);
    REQUIRE(second->data.args[1] == forget_it);
    borrowed.forget(second->pid, static_cast<int>(second->data.args[0]));
    CHECK(borrowed.size() == 0);
    REQUIRE(child.listener->succeed(second->id, 0));

    auto third = child.receive();
    REQUIRE(third);
    REQUIRE(third->data.args[1] == borrow_missing);
    const auto missing = borrowed.borrow(*child.listener, *third, 999);
    REQUIRE_FALSE(missing);
    CHECK(missing.error().errno_value() == EBADF);
    REQUIRE(child.listener->fail(third->id, EBADF));
    CHECK(exited_with(child.wait(), 0));

    borrowed.forget_process(child.pid);
    CHECK(borrowed.size() == 0);
}

TEST_CASE("close_range in the tracee forgets exactly its range", "[capture]") {
    const NotifyFilter filter({SYS_getppid}, {});
    TracedChild child(filter, [] {
        for (int fd = 0; fd < 3; ++fd) {
            if (::syscall(SYS_getppid, fd) != 0) {
                return 1;
            }
        }
        return 0;
    });
    capture::BorrowedFds borrowed;
    for (int n = 0; n < 3; ++n) {
        auto call = child.receive();
        REQUIRE(call);
        REQUIRE(borrowed.borrow(*child.listener, *call, static_cast<int>(call->data.args[0])));
        REQUIRE(child.listener->succeed(call->id, 0));
    }
    CHECK(borrowed.size() == 3);
    borrowed.forget_range(child.pid, 1, 5);
    CHECK(borrowed.size() == 1);
    borrowed.forget_range(child.pid + 1, 0, 10); // another process: nothing to forget
    CHECK(borrowed.size() == 1);
    CHECK(exited_with(child.wait(), 0));
}
