#include <unistd.h>

#include <catch2/catch.hpp>

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
