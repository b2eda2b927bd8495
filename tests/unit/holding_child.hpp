// A forked child that only holds what it inherited, until released. Shared by the unit tests
// that look at processes through /proc.
#pragma once

#include <unistd.h>

#include <catch2/catch.hpp>
#include <sys/wait.h>
#include <utility>

#include "util/io.hpp"

namespace asocat::test {

// A fork child holding every descriptor the test process had at the fork, until released (its
// end of a pipe reaches EOF); reaped on release, so that its pid is gone afterwards.
struct HoldingChild {
    pid_t pid = -1;
    util::ScopedFd release_end;

    HoldingChild() {
        auto pipe = util::make_pipe();
        REQUIRE(pipe);
        pid = ::fork();
        REQUIRE(pid >= 0);
        if (pid == 0) {
            pipe->write_end.reset();
            char byte = 0;
            while (::read(pipe->read_end.get(), &byte, 1) != 0) {
            }
            ::_exit(0);
        }
        release_end = std::move(pipe->write_end);
    }
    HoldingChild(const HoldingChild&) = delete;
    HoldingChild& operator=(const HoldingChild&) = delete;
    ~HoldingChild() { release(); }

    void release() {
        if (pid > 0) {
            release_end.reset();
            int status = 0;
            ::waitpid(pid, &status, 0);
            pid = -1;
        }
    }
};

} // namespace asocat::test
