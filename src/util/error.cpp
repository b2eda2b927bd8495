#include "util/error.hpp"

#include <cstring>
#include <string>

namespace asocat::util {

std::string errno_name(int errno_value) {
    // strerrorname_np is glibc >= 2.32 (Debian 12 has 2.36).
    const char* name = strerrorname_np(errno_value);
    return name != nullptr ? std::string(name) : "errno " + std::to_string(errno_value);
}

std::string Error::describe() const {
    if (m_errno == 0) {
        return m_message;
    }
    return m_message + ": " + std::strerror(m_errno) + " (" + errno_name(m_errno) + ")";
}

} // namespace asocat::util
