#include "capture/as_caller.hpp"

#include <fcntl.h>
#include <unistd.h>

#include <cstddef>
#include <cstdlib>
#include <string>
#include <sys/socket.h>
#include <sys/un.h>

#include "util/io.hpp"

namespace asocat::capture {
namespace {

std::optional<mode_t> caller_umask(pid_t pid) {
    auto status = util::read_small_file(AT_FDCWD, "/proc/" + std::to_string(pid) + "/status", 8192);
    const auto at = status ? status->find("\nUmask:\t") : std::string::npos;
    if (at == std::string::npos) {
        return std::nullopt;
    }
    return static_cast<mode_t>(std::strtoul(status->c_str() + at + 8, nullptr, 8));
}

} // namespace

AsCaller::AsCaller(pid_t pid, std::string_view address) {
    if (address.size() <= offsetof(sockaddr_un, sun_path) ||
        reinterpret_cast<const sockaddr*>(address.data())->sa_family != AF_UNIX) {
        return;
    }
    if (auto mask = caller_umask(pid)) {
        m_umask = ::umask(*mask);
    }
    const char first = address[offsetof(sockaddr_un, sun_path)];
    if (first == '/' || first == '\0') {
        return;
    }
    m_saved.reset(::open(".", O_PATH | O_DIRECTORY | O_CLOEXEC));
    const std::string cwd = "/proc/" + std::to_string(pid) + "/cwd";
    if (!m_saved || ::chdir(cwd.c_str()) != 0) {
        m_saved.reset();
    }
}

AsCaller::~AsCaller() {
    if (m_umask) {
        ::umask(*m_umask);
    }
    // The supervisor itself uses no relative paths, so a failed return does no harm.
    if (m_saved && ::fchdir(m_saved.get()) != 0) {
        m_saved.reset();
    }
}

} // namespace asocat::capture
