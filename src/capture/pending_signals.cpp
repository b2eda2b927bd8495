#include "capture/pending_signals.hpp"

#include <fcntl.h>
#include <unistd.h>

#include <cstdint>
#include <cstdlib>
#include <cstring>
#include <string>

#include "util/scoped_fd.hpp"

namespace asocat::capture {
namespace {

std::uint64_t mask_after(const char* text, const char* label) {
    const char* at = std::strstr(text, label);
    return at == nullptr ? 0 : std::strtoull(at + std::strlen(label), nullptr, 16);
}

} // namespace

bool has_deliverable_signal(pid_t tid) {
    const std::string path = "/proc/" + std::to_string(tid) + "/status";
    util::ScopedFd status(::open(path.c_str(), O_RDONLY | O_CLOEXEC));
    if (!status) {
        return false;
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
    const std::uint64_t pending = mask_after(text, "\nSigPnd:\t") | mask_after(text, "\nShdPnd:\t");
    return (pending & ~mask_after(text, "\nSigBlk:\t")) != 0;
}

} // namespace asocat::capture
