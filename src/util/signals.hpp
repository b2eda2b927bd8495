// Signal names and sets as values.
#pragma once

#include <signal.h>

#include <initializer_list>
#include <string>

namespace asocat::util {

// "SIGTERM"; "SIG<n>" for numbers without a name.
std::string signal_name(int signal_number);

sigset_t make_sigset(std::initializer_list<int> signals);

} // namespace asocat::util
