#include "app/socat_audit.hpp"

#include <cstdio>
#include <exception>

#include "asocat_version.hpp"
#include "toolbox/command.hpp"

namespace asocat::app {

int socat_audit_main(int argc, char** argv) {
    CLI::App app{"socat-audit: verify, prove and inspect audited-socat's audit logs"};
    app.name("socat-audit");
    app.set_version_flag("--version", std::string("socat-audit ") + kVersion);
    app.require_subcommand(1);
    auto commands = toolbox::make_commands();
    std::vector<std::pair<CLI::App*, toolbox::Command*>> chosen;
    for (auto& command : commands) {
        chosen.emplace_back(command->define(app), command.get());
    }
    try {
        app.parse(argc, argv);
    } catch (const CLI::ParseError& error) {
        const int status = app.exit(error);
        return status == 0 ? 0 : toolbox::kExitUsage;
    }
    try {
        for (const auto& [sub, command] : chosen) {
            if (sub->parsed()) {
                return command->run();
            }
        }
    } catch (const std::exception& error) {
        std::fprintf(stderr, "socat-audit: internal error: %s\n", error.what());
        return toolbox::kExitIo;
    }
    return toolbox::kExitUsage;
}

} // namespace asocat::app
