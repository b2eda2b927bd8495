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

util::Expected<void> append_tracee(const NotifyListener& listener, const Notification& call,
                                   std::uint64_t address, std::size_t length, std::string& out) {
    const std::size_t start = out.size();
    if (length > 0) {
        out.resize(start + length);
        iovec local{out.data() + start, length};
        iovec remote{reinterpret_cast<void*>(static_cast<std::uintptr_t>(address)), length};
        const ssize_t copied = ::process_vm_readv(call.pid, &local, 1, &remote, 1, 0);
        if (copied != static_cast<ssize_t>(length)) {
            out.resize(start);
            // Only after the check below is it known that the pid was still the caller's.
            if ((copied < 0 && errno == ESRCH) || !listener.still_pending(call.id)) {
                return gone();
            }
            return util::Error("the traced call passed memory it cannot read", EFAULT);
        }
    }
    // The bytes came from the caller only if it was still the caller after the copy.
    if (!listener.still_pending(call.id)) {
        out.resize(start);
        return gone();
    }
    return {};
}

util::Expected<std::string> read_tracee(const NotifyListener& listener, const Notification& call,
                                        std::uint64_t address, std::size_t length) {
    std::string bytes;
    if (auto read = append_tracee(listener, call, address, length, bytes); !read) {
        return read.error();
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
