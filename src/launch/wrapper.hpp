// The drop-in: `audited-socat SOCAT-ARGS...` runs the real socat with the same argv, stdio,
// environment and signals, records the session, and ends the way socat ended.
#pragma once

#include "launch/termination.hpp"

namespace asocat::launch {

// Exit status when audited-socat itself, or auditing, failed (DESIGN.md section 8).
inline constexpr int kWrapperFailure = 125;

// Runs one session. Returns how the wrapper must end (socat's exit status, or the signal to die
// by). Throws util::FatalError when socat cannot be run audited.
Termination run_wrapper(int argc, char** argv, char** envp);

// socat's argv[0]: what the user typed, except that a name whose last component is our own
// becomes plain "socat", as if the user had typed socat (the alias case): socat names its
// messages and SOCAT_* environment variables after it, and `ps` shows it.
std::string socat_argv0(const char* wrapper_argv0);

} // namespace asocat::launch
