#include "capture/tracee_memory.hpp"

#include <algorithm>
#include <cerrno>
#include <sys/uio.h>

namespace asocat::capture {
namespace {

util::Error gone() {
    return util::Error("the traced call is no longer pending", ENOENT);
}

} // namespace

util::Expected<std::string> read_tracee(const NotifyListener& listener, const Notification& call,
                                        std::uint64_t address, std::size_t length) {
    std::string bytes(length, '\0');
    if (length > 0) {
        iovec local{bytes.data(), length};
        iovec remote{reinterpret_cast<void*>(static_cast<std::uintptr_t>(address)), length};
        const ssize_t copied = ::process_vm_readv(call.pid, &local, 1, &remote, 1, 0);
        if (copied < 0 && errno == ESRCH) {
            return gone();
        }
        if (copied != static_cast<ssize_t>(length)) {
            // Only after the check below is it known that the pid was still the caller's.
            if (!listener.still_pending(call.id)) {
                return gone();
            }
            return util::Error("the traced call passed memory it cannot read", EFAULT);
        }
    }
    // The bytes came from the caller only if it was still the caller after the copy.
    if (!listener.still_pending(call.id)) {
        return gone();
    }
    return bytes;
}

util::Expected<TraceeString> read_tracee_string(const NotifyListener& listener,
                                                const Notification& call, std::uint64_t address,
                                                std::size_t max_length) {
    constexpr std::uint64_t kPage = 4096;
    TraceeString text;
    while (text.bytes.size() < max_length) {
        // Never read across a page boundary in one step: the string may end just before an
        // unmapped page.
        const std::uint64_t at = address + text.bytes.size();
        const std::size_t step =
            std::min<std::size_t>(kPage - at % kPage, max_length - text.bytes.size());
        auto chunk = read_tracee(listener, call, at, step);
        if (!chunk) {
            return chunk.error();
        }
        const auto end = chunk->find('\0');
        text.bytes.append(*chunk, 0, end == std::string::npos ? chunk->size() : end);
        if (end != std::string::npos) {
            return text;
        }
    }
    text.truncated = true;
    return text;
}

util::Expected<void> write_tracee(const NotifyListener& listener, const Notification& call,
                                  std::uint64_t address, std::string_view bytes) {
    if (!listener.still_pending(call.id)) {
        return gone();
    }
    if (bytes.empty()) {
        return {};
    }
    iovec local{const_cast<char*>(bytes.data()), bytes.size()};
    iovec remote{reinterpret_cast<void*>(static_cast<std::uintptr_t>(address)), bytes.size()};
    const ssize_t copied = ::process_vm_writev(call.pid, &local, 1, &remote, 1, 0);
    if (copied < 0 && errno == ESRCH) {
        return gone();
    }
    if (copied != static_cast<ssize_t>(bytes.size())) {
        return util::Error("the traced call passed memory it cannot write", EFAULT);
    }
    return {};
}

} // namespace asocat::capture
