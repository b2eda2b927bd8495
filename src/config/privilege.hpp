// "Privileged" as DESIGN.md section 9 defines it: started through sudo (euid 0 with SUDO_UID
// set) or set-id (the kernel's AT_SECURE). An administrator running as root directly is trusted
// and is not privileged in this sense: environment and user config apply.
#pragma once

#include <sys/types.h>

#include "config/environment.hpp"

namespace asocat::config {

struct Privilege {
    bool privileged = false;
    bool via_sudo = false;
    bool set_id = false;
    uid_t euid = 0;
};

Privilege detect_privilege(const Environment& env);

} // namespace asocat::config
