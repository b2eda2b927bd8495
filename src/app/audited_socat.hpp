// Top level of the audited-socat binary: turns run_wrapper's outcome into the process's end,
// and a FatalError into one line on stderr and its status.
#pragma once

#include <unistd.h>

namespace asocat::app {

int audited_socat_main(int argc, char** argv, char** envp);

} // namespace asocat::app
