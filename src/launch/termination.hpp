// How a process ended, as a value: an exit status, or a signal.
#pragma once

#include <string>

namespace asocat::launch {

struct Termination {
    bool signaled = false;
    int exit_code = 0; // when !signaled
    int signal = 0;    // when signaled
    bool core_dumped = false;

    static Termination exited(int code) { return {false, code, 0, false}; }
    static Termination killed(int sig, bool core = false) { return {true, 0, sig, core}; }

    // What a shell shows as $?: the exit code, or 128 + signal.
    int shell_status() const { return signaled ? 128 + signal : exit_code; }
};

} // namespace asocat::launch
