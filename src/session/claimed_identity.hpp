// Who the environment says is running us (the `claimed` trust tier in SECURITY.md): sudo's
// variables, the SSH connection, a CI job. Anyone who starts the wrapper can set these, so each
// claim carries the checks made against the kernel's facts; a claim is evidence of what was
// asserted, not of who it was.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

namespace asocat::session {

// SUDO_USER, SUDO_UID, SUDO_GID, SUDO_COMMAND.
struct SudoClaim {
    std::optional<std::string> user;
    std::optional<std::uint32_t> uid; // nullopt: unset or not a number
    std::optional<std::uint32_t> gid;
    std::optional<std::string> command;
    // Whether a process named sudo is among those that started the wrapper.
    bool sudo_in_chain = false;
    // Whether SUDO_UID equals the kernel's loginuid; nullopt when either is unknown.
    std::optional<bool> uid_is_loginuid;
};

struct NetworkEndpoint {
    std::optional<std::string> address; // SSH_CLIENT names the server's port only
    std::uint16_t port = 0;
};

// SSH_CONNECTION ("client port server port"), else SSH_CLIENT ("client port server-port").
struct SshClaim {
    std::string variable;                  // which one was read
    std::string value;                     // as given
    std::optional<NetworkEndpoint> client; // both, or neither when the value is malformed
    std::optional<NetworkEndpoint> server;
    bool well_formed = false;
    // Whether an sshd process is among those that started the wrapper.
    bool sshd_in_chain = false;
};

// A CI job, from the variables its runner sets.
struct CiClaim {
    std::string system; // "github-actions", "gitlab-ci", "jenkins", "buildkite"
    std::optional<std::string> repository;
    std::optional<std::string> ref;
    std::optional<std::string> actor;
    std::optional<std::string> job;
    std::optional<std::string> run;
    std::optional<std::string> url;
};

struct ClaimedIdentity {
    std::optional<SudoClaim> sudo;
    std::optional<SshClaim> ssh;
    std::optional<CiClaim> ci;
    // Variables longer than kMaxClaimBytes, recorded cut to that length.
    std::vector<std::string> truncated;

    static constexpr std::size_t kMaxClaimBytes = 4096;
};

} // namespace asocat::session
