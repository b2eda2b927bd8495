// Top level of the socat-audit toolbox: parses the command line with CLI11 and runs the chosen
// subcommand (src/toolbox/). Usage errors exit 64.
#pragma once

namespace asocat::app {

int socat_audit_main(int argc, char** argv);

} // namespace asocat::app
