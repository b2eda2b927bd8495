// socat-audit verify-proof --pubkey K PROOF
#include <fcntl.h>

#include <cstdio>

#include "evidence/inclusion.hpp"
#include "evidence/key_files.hpp"
#include "toolbox/commands.hpp"
#include "util/io.hpp"

namespace asocat::toolbox {
namespace {

constexpr std::size_t kMaxProof = 32 << 20;

class VerifyProofCommand final : public Command {
public:
    CLI::App* define(CLI::App& app) override {
        auto* sub = app.add_subcommand(
            "verify-proof", "Check a proof made by prove against the pinned public key: exit 0 "
                            "if the record is in the signed log, 1 if not");
        sub->add_option("--pubkey", m_pubkey, "The signer's public key (audit.pub)")->required();
        sub->add_option("proof", m_proof, "The proof file")->required();
        return sub;
    }

    int run() override {
        auto key = evidence::read_pinned_key(m_pubkey);
        if (!key) {
            std::fprintf(stderr, "socat-audit verify-proof: %s\n", key.error().describe().c_str());
            return key.error().errno_value() == ENOENT ? kExitNoInput : kExitData;
        }
        auto text = util::read_small_file(AT_FDCWD, m_proof, kMaxProof);
        if (!text) {
            std::fprintf(stderr, "socat-audit verify-proof: %s\n", text.error().describe().c_str());
            return text.error().errno_value() == ENOENT ? kExitNoInput : kExitData;
        }
        auto proof = evidence::decode_proof(*text);
        if (!proof) {
            std::fprintf(stderr, "socat-audit verify-proof: %s: %s\n", m_proof.c_str(),
                         proof.error().describe().c_str());
            return 1;
        }
        auto checked = evidence::check_inclusion(*proof, *key);
        if (!checked) {
            std::printf("FAIL %s: %s\n", m_proof.c_str(), checked.error().describe().c_str());
            return 1;
        }
        std::printf("OK record %llu is in %s, as of its signed checkpoint of %llu records\n",
                    static_cast<unsigned long long>(proof->index), checked->origin.c_str(),
                    static_cast<unsigned long long>(checked->size));
        std::printf("%s\n", proof->record.c_str());
        return 0;
    }

private:
    std::string m_pubkey;
    std::string m_proof;
};

} // namespace

std::unique_ptr<Command> make_verify_proof_command() {
    return std::make_unique<VerifyProofCommand>();
}

} // namespace asocat::toolbox
