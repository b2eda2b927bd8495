// Data calls taken apart from real trapped calls of a child: the supervisor sees the same
// descriptor, direction, buffers and extras the kernel would, and refuses what the kernel
// would refuse.
#include <unistd.h>

#include <catch2/catch.hpp>
#include <cerrno>
#include <climits>
#include <cstdint>
#include <cstring>
#include <sys/socket.h>
#include <sys/syscall.h>
#include <sys/uio.h>
#include <vector>

#include "capture/data_call.hpp"
#include "traced_child.hpp"

using namespace asocat;
using capture::Direction;
using test::exited_with;
using test::TracedChild;

namespace {

// Buffers at fixed addresses in the child (fork keeps the layout), so the test knows them.
char g_first[7];
char g_second[5];

// Decodes the child's next `count` calls, answers each with 0, and waits for the child to exit
// with 0.
std::vector<capture::DataCall> decode_and_answer(TracedChild& child, int count) {
    std::vector<capture::DataCall> seen;
    for (int n = 0; n < count; ++n) {
        auto call = child.receive();
        REQUIRE(call);
        auto decoded = capture::decode_data_call(*child.listener, *call);
        REQUIRE(decoded);
        REQUIRE(decoded->has_value());
        seen.push_back(**decoded);
        REQUIRE(child.listener->succeed(call->id, 0));
    }
    CHECK(exited_with(child.wait(), 0));
    return seen;
}

} // namespace

TEST_CASE("plain, positioned, vectored and addressed data calls decode as the kernel reads them",
          "[capture]") {
    const capture::NotifyFilter filter(
        {SYS_read, SYS_write, SYS_pread64, SYS_writev, SYS_pwritev, SYS_sendto, SYS_getppid}, {});
    TracedChild child(filter, [] {
        iovec pieces[2] = {{g_first, sizeof g_first}, {g_second, sizeof g_second}};
        if (::read(3, g_first, sizeof g_first) != 0 || ::write(4, g_second, 2) != 0 ||
            ::pread(5, g_first, 3, 4096) != 0 || ::writev(6, pieces, 2) != 0 ||
            ::pwritev(7, pieces, 1, (std::int64_t{1} << 40) + 9) != 0 ||
            ::sendto(8, g_second, 5, MSG_DONTWAIT, nullptr, 0) != 0) {
            return 1;
        }
        return 0;
    });
    const auto first = reinterpret_cast<std::uintptr_t>(g_first);
    const auto second = reinterpret_cast<std::uintptr_t>(g_second);
    const auto seen = decode_and_answer(child, 6);

    CHECK(seen[0].fd == 3);
    CHECK(seen[0].direction == Direction::in);
    CHECK(seen[0].buffers.size() == 1);
    CHECK(seen[0].buffers[0].address == first);
    CHECK(seen[0].total() == sizeof g_first);
    CHECK_FALSE(seen[0].offset);

    CHECK(seen[1].direction == Direction::out);
    CHECK(seen[1].total() == 2);

    CHECK(seen[2].fd == 5);
    CHECK(seen[2].offset == 4096);

    CHECK(seen[3].fd == 6);
    CHECK(seen[3].direction == Direction::out);
    REQUIRE(seen[3].buffers.size() == 2);
    CHECK(seen[3].buffers[0].address == first);
    CHECK(seen[3].buffers[1].address == second);
    CHECK(seen[3].total() == sizeof g_first + sizeof g_second);

    CHECK(seen[4].offset == (std::int64_t{1} << 40) + 9);
    CHECK(seen[4].buffers.size() == 1);

    CHECK(seen[5].fd == 8);
    CHECK(seen[5].flags == MSG_DONTWAIT);
    CHECK(seen[5].peer_address == 0);
}

TEST_CASE("iovec arrays the kernel would refuse are refused, and other calls are not data",
          "[capture]") {
    const capture::NotifyFilter filter({SYS_writev, SYS_getppid}, {});
    TracedChild child(filter, [] {
        static iovec huge[2] = {{g_first, SSIZE_MAX}, {g_second, 2}};
        // Answered with the errno the decoder gave: EINVAL, EFAULT, EINVAL.
        if (::syscall(SYS_writev, 1, huge, 2) != -1 || errno != EINVAL ||
            ::syscall(SYS_writev, 1, 8, 1) != -1 || errno != EFAULT ||
            ::syscall(SYS_writev, 1, huge, IOV_MAX + 1) != -1 || errno != EINVAL) {
            return 1;
        }
        return ::syscall(SYS_getppid) == 0 ? 0 : 2;
    });
    for (const int expected : {EINVAL, EFAULT, EINVAL}) {
        auto call = child.receive();
        REQUIRE(call);
        const auto decoded = capture::decode_data_call(*child.listener, *call);
        REQUIRE_FALSE(decoded);
        CHECK(decoded.error().errno_value() == expected);
        REQUIRE(child.listener->fail(call->id, decoded.error().errno_value()));
    }
    auto other = child.receive();
    REQUIRE(other);
    const auto decoded = capture::decode_data_call(*child.listener, *other);
    REQUIRE(decoded);
    CHECK_FALSE(decoded->has_value());
    REQUIRE(child.listener->succeed(other->id, 0));
    CHECK(exited_with(child.wait(), 0));
}

TEST_CASE("sendmsg and recvmsg: iovecs, peer, control data and the descriptors passed",
          "[capture]") {
    const capture::NotifyFilter filter({SYS_sendmsg, SYS_recvmsg}, {});
    // Fixed addresses again; the test checks the decoder saw these, not copies.
    static iovec pieces[2] = {{g_first, 3}, {g_second, 4}};
    alignas(cmsghdr) static char control[CMSG_SPACE(2 * sizeof(int))];
    static msghdr out_message{};
    static msghdr in_message{};
    TracedChild child(filter, [] {
        out_message = msghdr{nullptr, 0, pieces, 2, control, sizeof control, 0};
        in_message = msghdr{nullptr, 0, pieces, 1, control, sizeof control, 0};
        // One SCM_RIGHTS message passing descriptors 0 and 2.
        const cmsghdr rights{CMSG_LEN(2 * sizeof(int)), SOL_SOCKET, SCM_RIGHTS};
        const int passed[2] = {0, 2};
        std::memcpy(control, &rights, sizeof rights);
        std::memcpy(CMSG_DATA(CMSG_FIRSTHDR(&out_message)), passed, sizeof passed);
        return ::sendmsg(9, &out_message, MSG_NOSIGNAL) == 0 &&
                       ::recvmsg(10, &in_message, MSG_PEEK) == 0
                   ? 0
                   : 1;
    });
    const auto seen = decode_and_answer(child, 2);

    CHECK(seen[0].fd == 9);
    CHECK(seen[0].direction == Direction::out);
    CHECK(seen[0].flags == MSG_NOSIGNAL);
    CHECK(seen[0].message_header == reinterpret_cast<std::uintptr_t>(&out_message));
    REQUIRE(seen[0].buffers.size() == 2);
    CHECK(seen[0].total() == 7);
    CHECK(seen[0].control.length == sizeof control);
    CHECK(seen[0].passed_fds == std::vector<int>{0, 2});

    CHECK(seen[1].fd == 10);
    CHECK(seen[1].direction == Direction::in);
    CHECK(seen[1].flags == MSG_PEEK);
    CHECK(seen[1].total() == 3);
    CHECK(seen[1].control.address == reinterpret_cast<std::uintptr_t>(control));
    CHECK(seen[1].passed_fds.empty());
}
