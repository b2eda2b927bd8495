#include "toolbox/commands.hpp"

namespace asocat::toolbox {

std::vector<std::unique_ptr<Command>> make_commands() {
    std::vector<std::unique_ptr<Command>> commands;
    commands.push_back(make_keygen_command());
    commands.push_back(make_verify_command());
    commands.push_back(make_show_command());
    commands.push_back(make_prove_command());
    commands.push_back(make_verify_proof_command());
    commands.push_back(make_schema_command());
    return commands;
}

} // namespace asocat::toolbox
