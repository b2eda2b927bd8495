// The costs the capture engine is designed around, measured on this machine with the
// building blocks in src/capture: a plain system call, a seccomp user-notification round trip
// (with and without synchronous wake-up), borrowing a descriptor with pidfd_getfd, and copying
// 8 KiB out of another process with process_vm_readv. Prints "name value unit" lines for
// scripts/bench (--only capture).
//
// usage: asocat_notify_bench [--calls N]
#include <unistd.h>

#include <algorithm>
#include <chrono>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <optional>
#include <stdexcept>
#include <string>
#include <sys/socket.h>
#include <sys/syscall.h>
#include <sys/uio.h>
#include <sys/wait.h>
#include <vector>

#include "capture/fd_passing.hpp"
#include "capture/notify_filter.hpp"
#include "capture/notify_listener.hpp"
#include "util/scoped_fd.hpp"

namespace {

using namespace asocat;
using Clock = std::chrono::steady_clock;

void figure(const char* name, double value, const char* unit) {
    std::printf("%s %.6g %s\n", name, value, unit);
    std::fflush(stdout);
}

double micros_per(Clock::duration total, long count) {
    return std::chrono::duration<double, std::micro>(total).count() / static_cast<double>(count);
}

template <class T>
T must(util::Expected<T> value, const char* what) {
    if (!value) {
        throw std::runtime_error(std::string(what) + ": " + value.error().describe());
    }
    return std::move(*value);
}

void must(util::Expected<void> value, const char* what) {
    if (!value) {
        throw std::runtime_error(std::string(what) + ": " + value.error().describe());
    }
}

// A child that makes `calls` getppid calls under a filter trapping them; the caller answers.
struct Tracee {
    pid_t pid = -1;
    std::optional<capture::NotifyListener> listener;

    explicit Tracee(long calls) {
        const capture::NotifyFilter filter({SYS_getppid}, {});
        int channel[2];
        if (::socketpair(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0, channel) != 0) {
            throw std::runtime_error("socketpair");
        }
        pid = ::fork();
        if (pid == 0) {
            ::close(channel[0]);
            const auto installed = filter.install();
            if (installed.listener < 0 || capture::send_fd(channel[1], installed.listener) != 0) {
                ::_exit(100);
            }
            ::close(installed.listener);
            for (long i = 0; i < calls; ++i) {
                ::syscall(SYS_getppid);
            }
            ::_exit(0);
        }
        ::close(channel[1]);
        util::ScopedFd received = must(capture::receive_fd(channel[0]), "receive listener");
        ::close(channel[0]);
        listener.emplace(must(capture::NotifyListener::adopt(std::move(received)), "adopt"));
    }
    void reap() const {
        int status = 0;
        ::waitpid(pid, &status, 0);
        if (!WIFEXITED(status) || WEXITSTATUS(status) != 0) {
            throw std::runtime_error("the traced child failed");
        }
    }
};

double round_trip_us(long calls, bool sync_wakeup) {
    Tracee tracee(calls);
    if (sync_wakeup) {
        must(tracee.listener->enable_sync_wakeup(), "sync wake-up");
    }
    const auto start = Clock::now();
    for (long i = 0; i < calls; ++i) {
        const auto call = must(tracee.listener->receive(), "receive");
        must(tracee.listener->succeed(call.id, 1), "answer");
    }
    const auto elapsed = Clock::now() - start;
    tracee.reap();
    return micros_per(elapsed, calls);
}

} // namespace

int main(int argc, char** argv) {
    long calls = 200'000;
    for (int i = 1; i < argc; ++i) {
        if (std::strcmp(argv[i], "--calls") == 0 && i + 1 < argc) {
            calls = std::strtol(argv[++i], nullptr, 10);
        } else {
            std::fprintf(stderr, "usage: %s [--calls N]\n", argv[0]);
            return 64;
        }
    }
    try {
        auto start = Clock::now();
        for (long i = 0; i < calls; ++i) {
            ::syscall(SYS_getppid);
        }
        figure("syscall.plain_us", micros_per(Clock::now() - start, calls), "us");
        figure("notify.round_trip_us", round_trip_us(calls / 10, false), "us");
        figure("notify.round_trip_sync_us", round_trip_us(calls, true), "us");

        // Borrowing a descriptor of another process, and copying 8 KiB out of it.
        std::vector<char> buffer(8192, 'b');
        int hold[2];
        if (::pipe(hold) != 0) {
            throw std::runtime_error("pipe");
        }
        const pid_t child = ::fork();
        if (child == 0) {
            ::close(hold[1]);
            char byte;
            // Lives until the parent is done (EOF once the parent closes its write end).
            ::_exit(::read(hold[0], &byte, 1) >= 0 ? 0 : 1);
        }
        util::ScopedFd pidfd(static_cast<int>(::syscall(SYS_pidfd_open, child, 0)));
        start = Clock::now();
        for (long i = 0; i < calls / 10; ++i) {
            const int fd = static_cast<int>(::syscall(SYS_pidfd_getfd, pidfd.get(), hold[0], 0));
            if (fd < 0) {
                throw std::runtime_error("pidfd_getfd");
            }
            ::close(fd);
        }
        figure("pidfd_getfd_close_us", micros_per(Clock::now() - start, calls / 10), "us");
        // The child's copy of `buffer` is at the same address (fork): read it from there.
        std::vector<char> copy(buffer.size());
        start = Clock::now();
        for (long i = 0; i < calls / 10; ++i) {
            iovec local{copy.data(), copy.size()};
            iovec remote{buffer.data(), buffer.size()};
            if (::process_vm_readv(child, &local, 1, &remote, 1, 0) !=
                static_cast<ssize_t>(copy.size())) {
                throw std::runtime_error("process_vm_readv");
            }
        }
        figure("process_vm_readv_8k_us", micros_per(Clock::now() - start, calls / 10), "us");
        ::close(hold[1]); // the child's read returns: EOF
        ::waitpid(child, nullptr, 0);
    } catch (const std::exception& e) {
        std::fprintf(stderr, "asocat_notify_bench: %s\n", e.what());
        return 1;
    }
    return 0;
}
