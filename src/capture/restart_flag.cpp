#include "capture/restart_flag.hpp"

#include <cstdint>
#include <cstring>
#include <string>

#include "capture/tracee_memory.hpp"

namespace asocat::capture {
namespace {

// The kernel's struct sigaction on x86_64 begins with the handler and the flags, 8 bytes each.
constexpr std::size_t kFlagsOffset = 8;
constexpr std::uint64_t kDefaultHandler = 0; // SIG_DFL
constexpr std::uint64_t kIgnoreHandler = 1;  // SIG_IGN

} // namespace

util::Expected<bool> add_restart_flag(const NotifyListener& listener, const Notification& call) {
    const std::uint64_t act = call.data.args[1];
    auto head = read_tracee(listener, call, act, kFlagsOffset + sizeof(std::uint64_t));
    if (!head) {
        return head.error();
    }
    std::uint64_t handler = 0;
    std::uint64_t flags = 0;
    std::memcpy(&handler, head->data(), sizeof handler);
    std::memcpy(&flags, head->data() + kFlagsOffset, sizeof flags);
    if (handler == kDefaultHandler || handler == kIgnoreHandler || (flags & SA_RESTART) != 0) {
        return false;
    }
    flags |= SA_RESTART;
    std::string bytes(sizeof flags, '\0');
    std::memcpy(bytes.data(), &flags, sizeof flags);
    if (auto written = write_tracee(listener, call, act + kFlagsOffset, bytes); !written) {
        return written.error();
    }
    return true;
}

} // namespace asocat::capture
