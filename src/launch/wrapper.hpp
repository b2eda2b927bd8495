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

// socat's argv[0]: what the user typed, except that a name ending in our own name becomes the
// path of the socat executed, because socat names its messages and SOCAT_* environment
// variables after the last component, and `ps` should show what really runs.
std::string socat_argv0(const char* wrapper_argv0, const std::string& socat_path);

} // namespace asocat::launch
