// socat-audit prove --seq N LOG [--out FILE]
#include <fcntl.h>

#include <cstdio>

#include "evidence/inclusion.hpp"
#include "toolbox/commands.hpp"
#include "util/io.hpp"

namespace asocat::toolbox {
namespace {

class ProveCommand final : public Command {
public:
    CLI::App* define(CLI::App& app) override {
        auto* sub = app.add_subcommand(
            "prove", "Write a proof that one record is in a log, checkable with verify-proof "
                     "without the rest of the log (C2SP tlog-proof format)");
        sub->add_option("--seq", m_seq, "The record's sequence number (asocat.seq)")->required();
        sub->add_option("--out", m_out, "Write the proof here instead of standard output");
        sub->add_option("log", m_log, "The log file holding the record")->required();
        return sub;
    }

    int run() override {
        auto proof = evidence::prove_inclusion(m_log, m_seq);
        if (!proof) {
            std::fprintf(stderr, "socat-audit prove: %s\n", proof.error().describe().c_str());
            return proof.error().errno_value() == ENOENT ? kExitNoInput : kExitData;
        }
        const std::string text = evidence::encode_proof(*proof);
        if (m_out.empty()) {
            return std::fwrite(text.data(), 1, text.size(), stdout) == text.size() ? 0 : kExitIo;
        }
        util::ScopedFd fd(::open(m_out.c_str(), O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644));
        if (!fd || !util::write_all(fd.get(), text)) {
            std::fprintf(stderr, "socat-audit prove: cannot write %s\n", m_out.c_str());
            return kExitIo;
        }
        return 0;
    }

private:
    std::uint64_t m_seq = 0;
    std::string m_out;
    std::string m_log;
};

} // namespace

std::unique_ptr<Command> make_prove_command() {
    return std::make_unique<ProveCommand>();
}

} // namespace asocat::toolbox
