// An audited session inside another one: socat run by an audited socat (EXEC:socat when socat
// is audited-socat on PATH, or a script that calls it). The kernel allows one seccomp listener
// per filter tree, so the inner wrapper cannot capture; the outer supervisor already captures
// everything the inner socat does, so the inner session records that instead of failing
// (DESIGN.md section 4).
#pragma once

#include "launch/self_image.hpp"

namespace asocat::launch {

// True if an ancestor process runs audited-socat and this process cannot have a seccomp
// listener of its own (a probe child's attempt fails with EBUSY). False otherwise, and then a
// capture that fails to install is an error as usual.
bool inside_captured_session(const SelfImage& self);

} // namespace asocat::launch
