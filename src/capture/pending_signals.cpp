#include "capture/pending_signals.hpp"

#include <fcntl.h>
#include <unistd.h>

#include <bit>
#include <csignal>
#include <cstdint>
#include <cstdlib>
#include <cstring>
#include <string>

#include "util/scoped_fd.hpp"

namespace asocat::capture {
namespace {

// The kernel's SYNCHRONOUS_MASK (kernel/signal.c): faults are taken before anything else.
constexpr std::uint64_t kSynchronousSignals = (1ull << (SIGSEGV - 1)) | (1ull << (SIGBUS - 1)) |
                                              (1ull << (SIGILL - 1)) | (1ull << (SIGTRAP - 1)) |
                                              (1ull << (SIGFPE - 1)) | (1ull << (SIGSYS - 1));

std::uint64_t mask_after(const char* text, const char* label) {
    const char* at = std::strstr(text, label);
    return at == nullptr ? 0 : std::strtoull(at + std::strlen(label), nullptr, 16);
}

} // namespace

int next_signal(pid_t tid) {
    const std::string path = "/proc/" + std::to_string(tid) + "/status";
    util::ScopedFd status(::open(path.c_str(), O_RDONLY | O_CLOEXEC));
    if (!status) {
        return 0;
    }
    char text[4096] = {};
    std::size_t got = 0;
    while (got < sizeof text - 1) {
        const ssize_t n = ::read(status.get(), text + got, sizeof text - 1 - got);
        if (n <= 0) {
            break;
        }
        got += static_cast<std::size_t>(n);
    }
    const std::uint64_t blocked = mask_after(text, "\nSigBlk:\t");
    for (const char* label : {"\nSigPnd:\t", "\nShdPnd:\t"}) {
        std::uint64_t deliverable = mask_after(text, label) & ~blocked;
        if (deliverable == 0) {
            continue;
        }
        if ((deliverable & kSynchronousSignals) != 0) {
            deliverable &= kSynchronousSignals;
        }
        return std::countr_zero(deliverable) + 1;
    }
    return 0;
}

} // namespace asocat::capture
