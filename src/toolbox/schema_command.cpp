// socat-audit schema: the JSON Schema of the records (the source of schema/*.json).
#include <cstdio>

#include "evidence/record_schema.hpp"
#include "toolbox/commands.hpp"

namespace asocat::toolbox {
namespace {

class SchemaCommand final : public Command {
public:
    CLI::App* define(CLI::App& app) override {
        return app.add_subcommand("schema", "Print the JSON Schema of audit records (format 2)");
    }
    int run() override {
        const std::string schema = evidence::json_schema();
        return std::fwrite(schema.data(), 1, schema.size(), stdout) == schema.size() ? 0 : kExitIo;
    }
};

} // namespace

std::unique_ptr<Command> make_schema_command() {
    return std::make_unique<SchemaCommand>();
}

} // namespace asocat::toolbox
