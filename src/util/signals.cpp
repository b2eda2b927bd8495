#include "util/signals.hpp"

#include <string.h>

namespace asocat::util {

std::string signal_name(int signal_number) {
    // sigabbrev_np is glibc >= 2.32: "TERM" for SIGTERM.
    const char* abbreviation = ::sigabbrev_np(signal_number);
    if (abbreviation == nullptr) {
        return "SIG" + std::to_string(signal_number);
    }
    return std::string("SIG") + abbreviation;
}

sigset_t make_sigset(std::initializer_list<int> signals) {
    sigset_t set;
    sigemptyset(&set);
    for (const int s : signals) {
        sigaddset(&set, s);
    }
    return set;
}

} // namespace asocat::util
