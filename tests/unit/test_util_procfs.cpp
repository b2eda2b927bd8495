#include <fcntl.h>
#include <unistd.h>

#include <algorithm>
#include <catch2/catch.hpp>
#include <climits>
#include <string>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/wait.h>

#include "holding_child.hpp"
#include "util/io.hpp"
#include "util/procfs.hpp"

using namespace asocat::util;

TEST_CASE("tty numbers decode to device names") {
    CHECK_FALSE(tty_name(0).has_value());
    // major 136, minor 3 -> /dev/pts/3; major 137, minor 1 -> /dev/pts/257
    CHECK(tty_name((136u << 8) | 3u) == "/dev/pts/3");
    CHECK(tty_name((137u << 8) | 1u) == "/dev/pts/257");
    // minor 300 of major 136: low byte 44, high bits (300 >> 8) = 1 go to bits 20+.
    CHECK(tty_name((136u << 8) | 44u | (1u << 20)) == "/dev/pts/300");
}

TEST_CASE("our own process is described by procfs") {
    auto st = proc_stat(::getpid());
    REQUIRE(st);
    CHECK(st->ppid == ::getppid());
    CHECK(st->pgrp == ::getpgrp());
    auto args = proc_cmdline(::getpid());
    REQUIRE(args);
    REQUIRE_FALSE(args->empty());
    CHECK_THAT(args->front(), Catch::Contains("asocat_unit_tests"));
    auto exe = proc_exe(::getpid());
    REQUIRE(exe);
    CHECK_THAT(*exe, Catch::EndsWith("asocat_unit_tests"));
}

TEST_CASE("socket inodes are read from descriptor targets") {
    CHECK(socket_inode("socket:[123]") == ino_t{123});
    CHECK(socket_inode("socket:[18446744073709551615]") == ino_t{18446744073709551615ULL});
    CHECK_FALSE(socket_inode("pipe:[123]").has_value());
    CHECK_FALSE(socket_inode("socket:[]").has_value());
    CHECK_FALSE(socket_inode("socket:[12x]").has_value());
    CHECK_FALSE(socket_inode("socket:[123").has_value());
    CHECK_FALSE(socket_inode("/tmp/socket:[123]").has_value());
}

TEST_CASE("a process's descriptors and where they lead") {
    int pair[2];
    REQUIRE(::socketpair(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0, pair) == 0);
    const ScopedFd a(pair[0]);
    const ScopedFd b(pair[1]);
    struct stat st {};
    REQUIRE(::fstat(a.get(), &st) == 0);

    int piped[2];
    REQUIRE(::pipe2(piped, O_CLOEXEC) == 0);
    const ScopedFd read_end(piped[0]);
    const ScopedFd write_end(piped[1]);

    // Sockets only, within the range asked for; a pipe or a closed number is none.
    const auto sockets = socket_descriptors(::getpid(), 0, INT_MAX);
    CHECK(std::count(sockets.begin(), sockets.end(), a.get()) == 1);
    CHECK(std::count(sockets.begin(), sockets.end(), b.get()) == 1);
    CHECK(std::count(sockets.begin(), sockets.end(), read_end.get()) == 0);
    const int low = std::min(a.get(), b.get());
    CHECK(socket_descriptors(::getpid(), low, low) == std::vector<int>{low});
    CHECK(socket_descriptors(::getpid(), read_end.get(), read_end.get()).empty());
    CHECK(socket_descriptors(::getpid(), std::min(read_end.get(), write_end.get()),
                             std::max(read_end.get(), write_end.get()))
              .empty());
    CHECK(socket_descriptors(::getpid(), 100000, 100000).empty());
    CHECK(proc_fd_target(::getpid(), read_end.get())->rfind("pipe:[", 0) == 0);

    auto fds = ProcFds::open(::getpid());
    REQUIRE(fds);
    const auto target = fds->target(a.get());
    REQUIRE(target);
    CHECK(*target == "socket:[" + std::to_string(st.st_ino) + "]");
    CHECK(socket_inode(*target) == st.st_ino);
}

TEST_CASE("a process that is gone has no descriptors and no children") {
    int pair[2];
    REQUIRE(::socketpair(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0, pair) == 0);
    const ScopedFd a(pair[0]);
    const ScopedFd b(pair[1]);
    asocat::test::HoldingChild holder; // inherits the pair (close-on-exec, not on fork)
    const pid_t child = holder.pid;
    const auto children = proc_children(::getpid());
    CHECK(std::count(children.begin(), children.end(), child) == 1);
    CHECK_FALSE(socket_descriptors(child, 0, INT_MAX).empty());

    holder.release(); // reaped: the pid is gone
    CHECK(socket_descriptors(child, 0, INT_MAX).empty());
    CHECK(proc_children(child).empty());
    const auto gone = ProcFds::open(child);
    REQUIRE_FALSE(gone);
    CHECK(gone.error().errno_value() == ENOENT);
    const auto after = proc_children(::getpid());
    CHECK(std::count(after.begin(), after.end(), child) == 0);
}
