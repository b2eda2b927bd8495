// socat-audit keygen --out DIR [--name NAME]
#include <unistd.h>

#include <cstdio>

#include "evidence/key_files.hpp"
#include "toolbox/command.hpp"
#include "toolbox/commands.hpp"

namespace asocat::toolbox {
namespace {

class KeygenCommand final : public Command {
public:
    CLI::App* define(CLI::App& app) override {
        auto* sub = app.add_subcommand(
            "keygen", "Create an Ed25519 signing key: DIR/audit.key (0600) and DIR/audit.pub");
        sub->add_option("--out", m_out, "Directory for the key files (created 0700 if missing)")
            ->required();
        sub->add_option("--name", m_name,
                        "Key name in signatures (default: [user@]host/audited-socat)");
        return sub;
    }

    int run() override {
        if (m_out.empty() || m_out.front() != '/') {
            char cwd[4096];
            if (::getcwd(cwd, sizeof cwd) == nullptr) {
                std::fprintf(stderr, "socat-audit keygen: cannot resolve %s\n", m_out.c_str());
                return kExitIo;
            }
            m_out = std::string(cwd) + "/" + m_out;
        }
        const std::string name = m_name.empty() ? evidence::default_key_name() : m_name;
        auto identity = evidence::create_key_files(m_out, name, util::TrustPolicy{::geteuid()});
        if (!identity) {
            std::fprintf(stderr, "socat-audit keygen: %s\n", identity.error().describe().c_str());
            const int err = identity.error().errno_value();
            return err == EPERM || err == EACCES ? kExitPermission
                   : err == EEXIST               ? kExitIo
                   : err == 0                    ? kExitUsage
                                                 : kExitIo;
        }
        auto pub = evidence::read_pinned_key(m_out + "/" + evidence::kPublicKeyName);
        std::printf("%s\n", identity->vkey.c_str());
        if (auto key = evidence::Ed25519Key::from_public(identity->public_key)) {
            if (auto pem = key->public_pem()) {
                std::printf("%s", pem->c_str());
            }
        }
        std::fprintf(stderr, "socat-audit keygen: wrote %s/%s (private, 0600) and %s/%s\n",
                     m_out.c_str(), evidence::kPrivateKeyName, m_out.c_str(),
                     evidence::kPublicKeyName);
        return pub ? 0 : kExitIo;
    }

private:
    std::string m_out;
    std::string m_name;
};

} // namespace

std::unique_ptr<Command> make_keygen_command() {
    return std::make_unique<KeygenCommand>();
}

} // namespace asocat::toolbox
