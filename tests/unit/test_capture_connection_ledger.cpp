#include <unistd.h>

#include <algorithm>
#include <catch2/catch.hpp>
#include <climits>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <vector>

#include "capture/connection_ledger.hpp"
#include "holding_child.hpp"
#include "util/io.hpp"

using asocat::capture::ConnectionLedger;
using asocat::capture::sockets_held_elsewhere;
using asocat::capture::TracedProcesses;
using asocat::test::HoldingChild;
using asocat::util::ScopedFd;

namespace {

ino_t inode_of(int fd) {
    struct stat st {};
    REQUIRE(::fstat(fd, &st) == 0);
    REQUIRE(S_ISSOCK(st.st_mode));
    return st.st_ino;
}

struct SocketPair {
    ScopedFd a;
    ScopedFd b;
    SocketPair() {
        int fds[2];
        REQUIRE(::socketpair(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0, fds) == 0);
        a.reset(fds[0]);
        b.reset(fds[1]);
    }
};

// An inode that no process holds: a socket that was closed.
ino_t closed_socket_inode() {
    SocketPair gone;
    return inode_of(gone.a.get());
}

} // namespace

TEST_CASE("the ledger gives a connection's counts once") {
    ConnectionLedger ledger;
    const auto first = ledger.take(7, {100, 50});
    CHECK(first.in == 100);
    CHECK(first.out == 50);
    const auto again = ledger.take(7, {120, 50});
    CHECK(again.in == 20);
    CHECK(again.out == 0);
}

TEST_CASE("a socket another descriptor of the closing process holds is held elsewhere") {
    SocketPair pair;
    const ino_t inode = inode_of(pair.a.get());
    const ScopedFd copy(::dup(pair.a.get()));
    REQUIRE(copy);
    const std::vector<ino_t> wanted{inode};

    CHECK(sockets_held_elsewhere(wanted, ::getpid(), pair.a.get(), pair.a.get(), {}) == wanted);
    CHECK(sockets_held_elsewhere(wanted, ::getpid(), copy.get(), copy.get(), {}) == wanted);
    // Letting go of every descriptor (an exit), nothing of its own holds it.
    CHECK(sockets_held_elsewhere(wanted, ::getpid(), 0, INT_MAX, {}).empty());
}

TEST_CASE("a fork child the supervisor has not met holds what it inherited") {
    SocketPair pair;
    const ino_t inherited = inode_of(pair.a.get());
    const ino_t nowhere = closed_socket_inode();
    HoldingChild child;
    SocketPair after_fork; // the child never had it
    const ino_t parent_only = inode_of(after_fork.a.get());
    const pid_t self = ::getpid();

    // The parent closes its copy right after the fork: its child, unknown yet, holds it.
    CHECK(sockets_held_elsewhere(std::vector<ino_t>{inherited}, self, pair.a.get(), pair.a.get(),
                                 {}) == std::vector<ino_t>{inherited});
    // Of several at once, only the held ones, each once.
    CHECK(sockets_held_elsewhere(std::vector<ino_t>{nowhere, inherited, parent_only, inherited},
                                 self, 0, INT_MAX, {}) == std::vector<ino_t>{inherited});
    CHECK(sockets_held_elsewhere(std::vector<ino_t>{nowhere}, self, 0, INT_MAX, {}).empty());

    // The child exiting: the parent, a traced process, still holds it; the child itself in
    // `others` does not count.
    auto both = sockets_held_elsewhere(std::vector<ino_t>{inherited, parent_only}, child.pid, 0,
                                       INT_MAX, TracedProcesses{{child.pid, self}, {}});
    std::sort(both.begin(), both.end());
    CHECK(both ==
          std::vector<ino_t>{std::min(inherited, parent_only), std::max(inherited, parent_only)});
    CHECK(sockets_held_elsewhere(std::vector<ino_t>{inherited}, child.pid, 0, INT_MAX,
                                 TracedProcesses{{child.pid}, {}})
              .empty());

    // A child past exit_group let go of everything (and was counted so) though /proc still
    // lists its descriptors: the parent closing its copy is then the last holder.
    CHECK(sockets_held_elsewhere(std::vector<ino_t>{inherited}, self, pair.a.get(), pair.a.get(),
                                 TracedProcesses{{self}, {child.pid}})
              .empty());

    // Once the child is gone (its pid still among the traced ones), only the parent's own
    // descriptors are left, and the range covers them.
    const pid_t gone = child.pid;
    child.release();
    CHECK(sockets_held_elsewhere(std::vector<ino_t>{inherited}, self, pair.a.get(), pair.a.get(),
                                 TracedProcesses{{gone}, {}})
              .empty());
    CHECK(sockets_held_elsewhere(std::vector<ino_t>{inherited}, gone, 0, INT_MAX,
                                 TracedProcesses{{gone, self}, {}}) ==
          std::vector<ino_t>{inherited});
}
