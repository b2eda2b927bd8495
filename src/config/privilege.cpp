#include "config/privilege.hpp"

#include <unistd.h>

#include <sys/auxv.h>

namespace asocat::config {

Privilege detect_privilege(const Environment& env) {
    Privilege p;
    p.euid = ::geteuid();
    p.set_id = ::getauxval(AT_SECURE) != 0;
    p.via_sudo = p.euid == 0 && env.get("SUDO_UID").has_value();
    p.privileged = p.set_id || p.via_sudo;
    return p;
}

} // namespace asocat::config
