// The memory of a process blocked in a trapped call: where the capture engine reads what the
// call passes (buffers, addresses, paths) and writes what it returns. The kernel warns that
// such memory can change after it has been read (another thread of the caller), so what must
// be exact is read once, here, and then used from the copy; and a pid can be reused once its
// process dies, so every access is bracketed by a check that the call is still pending.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>

#include "capture/notify_listener.hpp"
#include "util/error.hpp"

namespace asocat::capture {

// Reads `length` bytes at `address` of the caller of `call`. Errors: EFAULT when the range is
// not readable in full (what the kernel would answer the caller), ENOENT when the call is no
// longer pending (the caller died or was interrupted; its pid may already be someone else's).
util::Expected<std::string> read_tracee(const NotifyListener& listener, const Notification& call,
                                        std::uint64_t address, std::size_t length);
// The same, appended to `out` (left as it was on error): a write's payload is copied once.
util::Expected<void> append_tracee(const NotifyListener& listener, const Notification& call,
                                   std::uint64_t address, std::size_t length, std::string& out);

// A NUL-terminated string of the caller (a path, an argv entry), read page by page.
struct TraceeString {
    std::string bytes;      // without the NUL
    bool truncated = false; // no NUL within max_length bytes
};
util::Expected<TraceeString> read_tracee_string(const NotifyListener& listener,
                                                const Notification& call, std::uint64_t address,
                                                std::size_t max_length);

// Writes `bytes` at `address` of the caller, after checking that the call is still pending.
// Errors as for read_tracee.
util::Expected<void> write_tracee(const NotifyListener& listener, const Notification& call,
                                  std::uint64_t address, std::string_view bytes);

} // namespace asocat::capture
