#include "identity/claims.hpp"

#include <arpa/inet.h>
#include <charconv>
#include <string>
#include <string_view>
#include <vector>

namespace asocat::identity {
namespace {

using session::ClaimedIdentity;
using session::KernelIdentity;

// Reads claims, cutting each to kMaxClaimBytes and noting which were cut.
class ClaimReader {
public:
    ClaimReader(const config::Environment& env, ClaimedIdentity& claims)
        : m_env(env), m_claims(claims) {}

    std::optional<std::string> get(std::string_view name) {
        auto value = m_env.get(name);
        if (value && value->size() > ClaimedIdentity::kMaxClaimBytes) {
            value->resize(ClaimedIdentity::kMaxClaimBytes);
            m_claims.truncated.emplace_back(name);
        }
        return value;
    }

    bool is(std::string_view name, std::string_view expected) {
        const auto value = m_env.get(name);
        return value && *value == expected;
    }

private:
    const config::Environment& m_env;
    ClaimedIdentity& m_claims;
};

std::optional<std::uint32_t> parse_id(const std::optional<std::string>& text) {
    if (!text) {
        return std::nullopt;
    }
    std::uint32_t value = 0;
    const auto [end, ec] = std::from_chars(text->data(), text->data() + text->size(), value);
    if (ec != std::errc() || end != text->data() + text->size()) {
        return std::nullopt;
    }
    return value;
}

std::vector<std::string_view> words(std::string_view text) {
    std::vector<std::string_view> found;
    while (!text.empty()) {
        const auto start = text.find_first_not_of(' ');
        if (start == std::string_view::npos) {
            break;
        }
        text.remove_prefix(start);
        const auto end = std::min(text.find(' '), text.size());
        found.push_back(text.substr(0, end));
        text.remove_prefix(end);
    }
    return found;
}

std::optional<std::uint16_t> parse_port(std::string_view text) {
    unsigned value = 0;
    const auto [end, ec] = std::from_chars(text.data(), text.data() + text.size(), value);
    if (ec != std::errc() || end != text.data() + text.size() || value == 0 || value > 65535) {
        return std::nullopt;
    }
    return static_cast<std::uint16_t>(value);
}

// Whether a process named `name` (by its executable's file name or its command name) is
// the parent or one of the ancestors.
bool in_chain(const KernelIdentity& kernel, std::string_view name) {
    const auto named = [&](const session::ProcessSnapshot& process) {
        if (process.executable) {
            const std::string_view exe(*process.executable);
            const auto slash = exe.rfind('/');
            if ((slash == std::string_view::npos ? exe : exe.substr(slash + 1)) == name) {
                return true;
            }
        }
        return process.name && *process.name == name;
    };
    if (named(kernel.parent)) {
        return true;
    }
    for (const auto& ancestor : kernel.ancestors) {
        if (named(ancestor)) {
            return true;
        }
    }
    return false;
}

std::optional<session::SudoClaim> sudo_claim(ClaimReader& read, const KernelIdentity& kernel) {
    session::SudoClaim sudo;
    sudo.user = read.get("SUDO_USER");
    const auto uid = read.get("SUDO_UID");
    const auto gid = read.get("SUDO_GID");
    sudo.command = read.get("SUDO_COMMAND");
    if (!sudo.user && !uid && !gid && !sudo.command) {
        return std::nullopt;
    }
    sudo.uid = parse_id(uid);
    sudo.gid = parse_id(gid);
    sudo.sudo_in_chain = in_chain(kernel, "sudo");
    if (sudo.uid && kernel.loginuid) {
        sudo.uid_is_loginuid = *sudo.uid == *kernel.loginuid;
    }
    return sudo;
}

std::optional<session::SshClaim> ssh_claim(ClaimReader& read, const KernelIdentity& kernel) {
    session::SshClaim ssh;
    std::optional<std::string> value = read.get("SSH_CONNECTION");
    ssh.variable = "SSH_CONNECTION";
    if (!value) {
        value = read.get("SSH_CLIENT");
        ssh.variable = "SSH_CLIENT";
    }
    if (!value) {
        return std::nullopt;
    }
    ssh.value = *value;
    const auto parts = words(ssh.value);
    if (ssh.variable == "SSH_CONNECTION" && parts.size() == 4) {
        ssh.client = parse_endpoint(parts[0], parts[1]);
        ssh.server = parse_endpoint(parts[2], parts[3]);
    } else if (ssh.variable == "SSH_CLIENT" && parts.size() == 3) {
        ssh.client = parse_endpoint(parts[0], parts[1]);
        if (const auto port = parse_port(parts[2])) {
            ssh.server = session::NetworkEndpoint{std::nullopt, *port};
        }
    }
    ssh.well_formed = ssh.client && ssh.server;
    if (!ssh.well_formed) {
        ssh.client.reset();
        ssh.server.reset();
    }
    ssh.sshd_in_chain = in_chain(kernel, "sshd");
    return ssh;
}

// The variables of each CI system, in the order of CiClaim's members.
struct CiVariables {
    const char* system;
    const char* marker; // set to "true" by the runner, or (Jenkins) set at all
    bool marker_is_true;
    const char* repository;
    const char* ref;
    const char* actor;
    const char* job;
    const char* run;
    const char* url; // nullptr: built by the reader (GitHub)
};

constexpr CiVariables kCiSystems[] = {
    {"github-actions", "GITHUB_ACTIONS", true, "GITHUB_REPOSITORY", "GITHUB_REF", "GITHUB_ACTOR",
     "GITHUB_JOB", "GITHUB_RUN_ID", nullptr},
    {"gitlab-ci", "GITLAB_CI", true, "CI_PROJECT_PATH", "CI_COMMIT_REF_NAME", "GITLAB_USER_LOGIN",
     "CI_JOB_ID", "CI_PIPELINE_ID", "CI_JOB_URL"},
    {"buildkite", "BUILDKITE", true, "BUILDKITE_REPO", "BUILDKITE_BRANCH",
     "BUILDKITE_BUILD_CREATOR", "BUILDKITE_JOB_ID", "BUILDKITE_BUILD_NUMBER",
     "BUILDKITE_BUILD_URL"},
    {"jenkins", "JENKINS_URL", false, "GIT_URL", "GIT_BRANCH", "BUILD_USER_ID", "JOB_NAME",
     "BUILD_NUMBER", "BUILD_URL"},
};

std::optional<session::CiClaim> ci_claim(ClaimReader& read, const config::Environment& env) {
    for (const auto& system : kCiSystems) {
        const bool present = system.marker_is_true ? read.is(system.marker, "true")
                                                   : env.get(system.marker).has_value();
        if (!present) {
            continue;
        }
        session::CiClaim ci;
        ci.system = system.system;
        ci.repository = read.get(system.repository);
        ci.ref = read.get(system.ref);
        ci.actor = read.get(system.actor);
        ci.job = read.get(system.job);
        ci.run = read.get(system.run);
        if (system.url != nullptr) {
            ci.url = read.get(system.url);
        } else if (const auto server = read.get("GITHUB_SERVER_URL");
                   server && ci.repository && ci.run) {
            ci.url = *server + "/" + *ci.repository + "/actions/runs/" + *ci.run;
        }
        return ci; // the first system whose marker is set: runners set only their own
    }
    return std::nullopt;
}

} // namespace

std::optional<session::NetworkEndpoint> parse_endpoint(std::string_view address,
                                                       std::string_view port) {
    const std::string text(address);
    unsigned char scratch[16];
    if (::inet_pton(AF_INET, text.c_str(), scratch) != 1 &&
        ::inet_pton(AF_INET6, text.c_str(), scratch) != 1) {
        return std::nullopt;
    }
    const auto number = parse_port(port);
    if (!number) {
        return std::nullopt;
    }
    return session::NetworkEndpoint{text, *number};
}

session::ClaimedIdentity collect_claims(const config::Environment& env,
                                        const session::KernelIdentity& kernel) {
    ClaimedIdentity claims;
    ClaimReader read(env, claims);
    claims.sudo = sudo_claim(read, kernel);
    claims.ssh = ssh_claim(read, kernel);
    claims.ci = ci_claim(read, env);
    return claims;
}

} // namespace asocat::identity
