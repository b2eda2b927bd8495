// A socat-audit subcommand: it declares its CLI11 options and runs when selected. Adding one is
// one file plus a line in commands.cpp (an explicit list rather than self-registration through
// static constructors: no global mutable state).
#pragma once

#include <CLI/CLI.hpp>
#include <memory>
#include <vector>

namespace asocat::toolbox {

// Exit statuses of the toolbox (sysexits(3)); verify adds 1 and 2 of its own.
inline constexpr int kExitUsage = 64;
inline constexpr int kExitData = 65;
inline constexpr int kExitNoInput = 66;
inline constexpr int kExitIo = 74;
inline constexpr int kExitPermission = 77;
inline constexpr int kExitConfig = 78;

class Command {
public:
    virtual ~Command() = default;
    // Adds the subcommand to `app` and returns it.
    virtual CLI::App* define(CLI::App& app) = 0;
    // Runs after a successful parse, when this subcommand was given.
    virtual int run() = 0;
};

std::vector<std::unique_ptr<Command>> make_commands();

} // namespace asocat::toolbox
