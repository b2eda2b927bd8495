#include <unistd.h>

#include <catch2/catch.hpp>
#include <string>
#include <vector>

#include "identity/claims.hpp"
#include "session/kernel_identity.hpp"

using asocat::config::Environment;
using asocat::identity::collect_claims;
using asocat::identity::parse_endpoint;
using asocat::session::KernelIdentity;
using asocat::session::ProcessSnapshot;

namespace {

KernelIdentity started_by(std::vector<std::string> names, std::optional<std::uint32_t> loginuid) {
    KernelIdentity kernel;
    kernel.loginuid = loginuid;
    for (std::size_t i = 0; i < names.size(); ++i) {
        ProcessSnapshot process;
        process.pid = static_cast<pid_t>(100 + i);
        process.executable = "/usr/bin/" + names[i];
        (i == 0 ? kernel.parent : kernel.ancestors.emplace_back()) = process;
    }
    return kernel;
}

} // namespace

TEST_CASE("sudo's variables are claims, checked against the chain and the loginuid", "[identity]") {
    const Environment env({"SUDO_USER=alice", "SUDO_UID=1000", "SUDO_GID=1001",
                           "SUDO_COMMAND=/usr/bin/audited-socat - -"});
    const auto through_sudo = collect_claims(env, started_by({"bash", "sudo", "bash"}, 1000));
    REQUIRE(through_sudo.sudo);
    CHECK(through_sudo.sudo->user == "alice");
    CHECK(through_sudo.sudo->uid == 1000u);
    CHECK(through_sudo.sudo->gid == 1001u);
    CHECK(through_sudo.sudo->command == "/usr/bin/audited-socat - -");
    CHECK(through_sudo.sudo->sudo_in_chain);
    CHECK(through_sudo.sudo->uid_is_loginuid == true);

    const auto forged = collect_claims(env, started_by({"bash", "sshd"}, 1002));
    CHECK_FALSE(forged.sudo->sudo_in_chain);
    CHECK(forged.sudo->uid_is_loginuid == false);
    const auto unset = collect_claims(env, started_by({"sudo"}, std::nullopt));
    CHECK(unset.sudo->sudo_in_chain); // the parent itself
    CHECK_FALSE(unset.sudo->uid_is_loginuid.has_value());

    // A name is matched whole: "pseudo" or "sudo-rs" is not sudo.
    CHECK_FALSE(collect_claims(env, started_by({"pseudo", "sudo-rs"}, 1000)).sudo->sudo_in_chain);
}

TEST_CASE("a sudo id that is not a number is kept out, the rest of the claim stays", "[identity]") {
    const Environment env({"SUDO_USER=alice", "SUDO_UID=1000x", "SUDO_GID=-1"});
    const auto claims = collect_claims(env, started_by({"sudo"}, 1000));
    REQUIRE(claims.sudo);
    CHECK(claims.sudo->user == "alice");
    CHECK_FALSE(claims.sudo->uid.has_value());
    CHECK_FALSE(claims.sudo->gid.has_value());
    CHECK_FALSE(claims.sudo->uid_is_loginuid.has_value());
    CHECK_FALSE(collect_claims(Environment({"SUDO_X=1"}), started_by({"sudo"}, 0)).sudo);
}

TEST_CASE("SSH_CONNECTION wins over SSH_CLIENT, and an sshd above backs it", "[identity]") {
    const Environment env(
        {"SSH_CLIENT=198.51.100.1 1 22", "SSH_CONNECTION=192.0.2.7 51234 10.0.0.2 2222"});
    const auto claims = collect_claims(env, started_by({"bash", "sshd"}, 1000));
    REQUIRE(claims.ssh);
    CHECK(claims.ssh->variable == "SSH_CONNECTION");
    CHECK(claims.ssh->well_formed);
    CHECK(claims.ssh->client->address == "192.0.2.7");
    CHECK(claims.ssh->client->port == 51234);
    CHECK(claims.ssh->server->address == "10.0.0.2");
    CHECK(claims.ssh->server->port == 2222);
    CHECK(claims.ssh->sshd_in_chain);
}

TEST_CASE("endpoints are an IP address and a port from 1 to 65535", "[identity]") {
    CHECK(parse_endpoint("2001:db8::1", "22")->address == "2001:db8::1");
    CHECK(parse_endpoint("192.0.2.1", "65535")->port == 65535);
    for (const auto& [address, port] :
         std::vector<std::pair<std::string, std::string>>{{"192.0.2.1", "0"},
                                                          {"192.0.2.1", "65536"},
                                                          {"192.0.2.1", "22x"},
                                                          {"192.0.2.1", "-22"},
                                                          {"192.0.2.1", ""},
                                                          {"192.0.2.256", "22"},
                                                          {"host.example", "22"},
                                                          {"", "22"},
                                                          {"192.0.2.1 ", "22"}}) {
        CAPTURE(address, port);
        CHECK_FALSE(parse_endpoint(address, port).has_value());
    }
}

TEST_CASE("claims longer than 4096 bytes are cut there and named", "[identity]") {
    const std::string long_user(10000, 'u');
    const Environment env(
        {"SUDO_USER=" + long_user, "GITLAB_CI=true", "CI_PROJECT_PATH=" + std::string(4096, 'p')});
    const auto claims = collect_claims(env, started_by({"sudo"}, 0));
    CHECK(claims.sudo->user == long_user.substr(0, 4096));
    CHECK(claims.ci->repository == std::string(4096, 'p')); // exactly the limit: whole
    CHECK(claims.truncated == std::vector<std::string>{"SUDO_USER"});
}

TEST_CASE("the systemd unit is the innermost service or scope of the cgroup path", "[identity]") {
    using asocat::session::systemd_unit_of;
    CHECK(systemd_unit_of("/user.slice/user-1000.slice/session-4.scope") == "session-4.scope");
    CHECK(systemd_unit_of("/system.slice/ssh.service") == "ssh.service");
    CHECK(systemd_unit_of("/system.slice/docker-1.scope/init.service/sub") == "init.service");
    CHECK_FALSE(systemd_unit_of("/").has_value());
    CHECK_FALSE(systemd_unit_of("/user.slice").has_value());
    CHECK_FALSE(systemd_unit_of("").has_value());
}

TEST_CASE("the ancestor chain stops at the session leader and at its bound", "[identity]") {
    using asocat::session::ancestors_of;
    const pid_t parent = ::getppid();
    const auto all = ancestors_of(::getpid(), 0, 64); // our parent first
    REQUIRE_FALSE(all.empty());
    CHECK(all.front().pid == parent);
    CHECK(ancestors_of(::getpid(), 0, 1).size() == 1);
    CHECK(ancestors_of(::getpid(), ::getpid(), 64).empty()); // we are the leader: none above
    CHECK(ancestors_of(::getpid(), parent, 64).size() == 1); // the parent leads: it ends there
    CHECK(ancestors_of(1, 0, 64).empty());
}
