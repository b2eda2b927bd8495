#include <unistd.h>

#include <catch2/catch.hpp>
#include <cerrno>
#include <set>
#include <string_view>
#include <sys/socket.h>
#include <sys/syscall.h>

#include "capture/syscall_catalogue.hpp"
#include "traced_child.hpp"

using namespace asocat;
using capture::Handling;
using capture::trapped_syscalls;
using test::exited_with;
using test::TracedChild;

TEST_CASE("the catalogue names each call once, and every way bytes move is covered", "[capture]") {
    std::set<int> numbers;
    std::set<std::string_view> names;
    for (const auto& call : trapped_syscalls()) {
        CHECK(numbers.insert(call.nr).second);
        CHECK(names.insert(call.name).second);
    }
    // Each of these moves bytes between descriptors or processes: performed or refused.
    for (const int nr : {SYS_read,          SYS_readv,    SYS_pread64,
                         SYS_preadv,        SYS_preadv2,  SYS_recvfrom,
                         SYS_recvmsg,       SYS_recvmmsg, SYS_write,
                         SYS_writev,        SYS_pwrite64, SYS_pwritev,
                         SYS_pwritev2,      SYS_sendto,   SYS_sendmsg,
                         SYS_sendmmsg,      SYS_sendfile, SYS_splice,
                         SYS_tee,           SYS_vmsplice, SYS_copy_file_range,
                         SYS_io_uring_setup}) {
        INFO("syscall " << nr);
        CHECK(numbers.count(nr) == 1);
    }
}

TEST_CASE("socat's filter fits BPF and traps the catalogue but not the diagnostics poll",
          "[capture]") {
    const auto filter = capture::socat_filter(); // throws if the jumps did not fit
    TracedChild child(filter, [] {
        int pair[2];
        if (::socketpair(AF_UNIX, SOCK_DGRAM, 0, pair) != 0) {
            return 2;
        }
        char buffer[519];
        if (::recvfrom(pair[0], buffer, sizeof buffer, MSG_DONTWAIT, nullptr, nullptr) != -1 ||
            errno != EAGAIN) {
            return 3; // the poll went to the kernel itself
        }
        // A refused call: the supervisor answers ENOSYS, and the program can fall back.
        return test::refused_call_fails_with_enosys() ? 0 : 4;
    });
    // socketpair is trapped (socket lifecycle): let it run; then the refused call.
    auto pair_call = child.receive();
    REQUIRE(pair_call);
    CHECK(pair_call->data.nr == SYS_socketpair);
    REQUIRE(child.listener->allow(pair_call->id));
    test::refuse_copy_file_range(child);
    CHECK(exited_with(child.wait(), 0));
}
