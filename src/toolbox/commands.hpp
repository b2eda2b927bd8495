// The factories of every subcommand, one per command file.
#pragma once

#include <memory>

#include "toolbox/command.hpp"

namespace asocat::toolbox {

std::unique_ptr<Command> make_keygen_command();
std::unique_ptr<Command> make_verify_command();
std::unique_ptr<Command> make_prove_command();
std::unique_ptr<Command> make_verify_proof_command();
std::unique_ptr<Command> make_schema_command();
std::unique_ptr<Command> make_show_command();

} // namespace asocat::toolbox
