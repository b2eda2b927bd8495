// Reading and writing a traced caller's memory while it is blocked in a trapped call: the
// supervisor performs write(2) and read(2) for a child here, from and into the child's own
// buffers, and answers with the true result.
#include <signal.h>
#include <unistd.h>

#include <catch2/catch.hpp>
#include <cerrno>
#include <cstring>
#include <string>
#include <sys/syscall.h>
#include <sys/wait.h>

#include "capture/tracee_memory.hpp"
#include "traced_child.hpp"

using namespace asocat;
using capture::NotifyFilter;
using test::exited_with;
using test::TracedChild;

TEST_CASE("the supervisor reads what a write passes, and writes what a read returns", "[capture]") {
    const NotifyFilter filter({SYS_read, SYS_write}, {});
    TracedChild child(filter, [] {
        static const char message[] = "bytes socat would send";
        if (::write(1, message, sizeof message - 1) != sizeof message - 1) {
            return 1;
        }
        char reply[16] = {};
        if (::read(0, reply, sizeof reply) != 4 || std::memcmp(reply, "pong", 4) != 0) {
            return 2;
        }
        // A buffer that is not mapped: the supervisor answers EFAULT, as the kernel would.
        const ssize_t bad = ::syscall(SYS_write, 1, 8, 5); // raw: the compiler would object
        return bad == -1 && errno == EFAULT ? 0 : 3;
    });

    auto write_call = child.receive();
    REQUIRE(write_call);
    REQUIRE(write_call->data.nr == SYS_write);
    const auto sent = capture::read_tracee(*child.listener, *write_call, write_call->data.args[1],
                                           write_call->data.args[2]);
    REQUIRE(sent);
    CHECK(*sent == "bytes socat would send");
    REQUIRE(child.listener->succeed(write_call->id, static_cast<std::int64_t>(sent->size())));

    auto read_call = child.receive();
    REQUIRE(read_call);
    REQUIRE(read_call->data.nr == SYS_read);
    REQUIRE(capture::write_tracee(*child.listener, *read_call, read_call->data.args[1], "pong"));
    REQUIRE(child.listener->succeed(read_call->id, 4));

    auto bad_call = child.receive();
    REQUIRE(bad_call);
    const auto unreadable = capture::read_tracee(*child.listener, *bad_call, bad_call->data.args[1],
                                                 bad_call->data.args[2]);
    REQUIRE_FALSE(unreadable);
    CHECK(unreadable.error().errno_value() == EFAULT);
    REQUIRE(child.listener->fail(bad_call->id, EFAULT));
    CHECK(exited_with(child.wait(), 0));
}

TEST_CASE("memory of a call that is no longer pending is neither read nor written", "[capture]") {
    const NotifyFilter filter({SYS_write}, {});
    TracedChild child(filter, [] {
        static const char message[] = "x";
        return static_cast<int>(::write(1, message, 1));
    });
    auto call = child.receive();
    REQUIRE(call);
    ::kill(child.pid, SIGKILL); // the caller dies with its call unanswered
    const int status = child.wait();
    CHECK(WIFSIGNALED(status));
    const auto read = capture::read_tracee(*child.listener, *call, call->data.args[1], 1);
    REQUIRE_FALSE(read);
    CHECK(read.error().errno_value() == ENOENT);
    const auto written = capture::write_tracee(*child.listener, *call, call->data.args[1], "y");
    REQUIRE_FALSE(written);
    CHECK(written.error().errno_value() == ENOENT);
    CHECK_FALSE(child.listener->succeed(call->id, 1));
}
