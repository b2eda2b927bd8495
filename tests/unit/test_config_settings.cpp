#include <unistd.h>

#include <catch2/catch.hpp>
#include <fstream>
#include <sys/stat.h>

#include "config/settings.hpp"
#include "temp_dir.hpp"

using namespace asocat::config;

namespace {

Privilege user() {
    return Privilege{false, false, false, ::geteuid()};
}
Privilege via_sudo() {
    return Privilege{true, true, false, 0};
}

struct Fixture {
    TempDir tmp;
    Locations locations{tmp / "etc/config.toml", tmp / "var-log"};
    Fixture() { REQUIRE(::mkdir((tmp / "etc").c_str(), 0755) == 0); }
    void system_config(const std::string& text) const {
        std::ofstream(tmp / "etc/config.toml") << text;
    }
    void user_config(const std::string& text) const {
        ::mkdir((tmp / "xdg").c_str(), 0700);
        ::mkdir((tmp / "xdg/audited-socat").c_str(), 0700);
        std::ofstream(tmp / "xdg/audited-socat/config.toml") << text;
    }
};

} // namespace

TEST_CASE("defaults: XDG state directory, no socat path, fail closed") {
    Fixture f;
    const Environment env({"HOME=/home/alice"});
    auto s = load_settings(env, user(), f.locations);
    REQUIRE(s);
    CHECK(s->log_dir == "/home/alice/.local/state/audited-socat");
    CHECK(s->key == "/home/alice/.config/audited-socat/audit.key");
    CHECK(s->key_is_default);
    CHECK_FALSE(s->socat_path);
    CHECK_FALSE(s->fail_open);
    CHECK(s->config_files.empty());
    CHECK(s->environment_used.empty());

    const Environment xdg({"HOME=/home/alice", "XDG_STATE_HOME=/srv/state"});
    CHECK(load_settings(xdg, user(), f.locations)->log_dir == "/srv/state/audited-socat");
    // A relative XDG_STATE_HOME is invalid per the XDG spec and ignored.
    const Environment relative({"HOME=/home/alice", "XDG_STATE_HOME=state"});
    CHECK(load_settings(relative, user(), f.locations)->log_dir ==
          "/home/alice/.local/state/audited-socat");
}

TEST_CASE("layers: system config, then user config, then environment") {
    Fixture f;
    f.system_config("socat_path = \"/opt/a/socat\"\nlog_dir = \"/srv/sys\"\n");
    f.user_config("log_dir = \"/srv/user\"\nfail_open = true\n");
    const Environment env({"HOME=/nonexistent", "XDG_CONFIG_HOME=" + (f.tmp / "xdg")});
    auto s = load_settings(env, user(), f.locations);
    REQUIRE(s);
    CHECK(s->socat_path == "/opt/a/socat");
    CHECK(s->socat_path_origin == Origin::system_config);
    CHECK(s->log_dir == "/srv/user");
    CHECK(s->fail_open);
    CHECK(s->config_files == std::vector<std::string>{f.tmp / "etc/config.toml",
                                                      f.tmp / "xdg/audited-socat/config.toml"});

    const Environment with_env({"XDG_CONFIG_HOME=" + (f.tmp / "xdg"),
                                "AUDITED_SOCAT_SOCAT=/opt/b/socat",
                                "AUDITED_SOCAT_LOG_DIR=/srv/env"});
    auto e = load_settings(with_env, user(), f.locations);
    REQUIRE(e);
    CHECK(e->socat_path == "/opt/b/socat");
    CHECK(e->socat_path_origin == Origin::environment);
    CHECK(e->log_dir == "/srv/env");
    CHECK(e->environment_used ==
          std::vector<std::string>{"AUDITED_SOCAT_SOCAT", "AUDITED_SOCAT_LOG_DIR"});
}

TEST_CASE("AUDITED_SOCAT_KEY names the key, a path or a store URI") {
    Fixture f;
    auto s =
        load_settings(Environment({"HOME=/h", "AUDITED_SOCAT_KEY=/keys/k"}), user(), f.locations);
    REQUIRE(s);
    CHECK(s->key == "/keys/k");
    CHECK_FALSE(s->key_is_default);
    CHECK(s->environment_used == std::vector<std::string>{"AUDITED_SOCAT_KEY"});
    auto uri = load_settings(Environment({"HOME=/h", "AUDITED_SOCAT_KEY=pkcs11:object=k"}), user(),
                             f.locations);
    REQUIRE(uri);
    CHECK(uri->key == "pkcs11:object=k");
    CHECK_FALSE(
        load_settings(Environment({"HOME=/h", "AUDITED_SOCAT_KEY=k"}), user(), f.locations));
}

TEST_CASE("AUDITED_SOCAT_CONFIG replaces the user config and must exist") {
    Fixture f;
    std::ofstream(f.tmp / "mine.toml") << "log_dir = \"/srv/mine\"\n";
    const Environment env({"HOME=/nonexistent", "AUDITED_SOCAT_CONFIG=" + (f.tmp / "mine.toml")});
    auto s = load_settings(env, user(), f.locations);
    REQUIRE(s);
    CHECK(s->log_dir == "/srv/mine");
    CHECK(s->environment_used == std::vector<std::string>{"AUDITED_SOCAT_CONFIG"});

    const Environment missing({"HOME=/h", "AUDITED_SOCAT_CONFIG=" + (f.tmp / "nope.toml")});
    auto m = load_settings(missing, user(), f.locations);
    REQUIRE_FALSE(m);
    CHECK_THAT(m.error().describe(), Catch::Contains("does not exist"));
}

TEST_CASE("privileged runs ignore the environment and user config entirely") {
    Fixture f;
    f.user_config("log_dir = \"/srv/user\"\n");
    const Environment env({"HOME=/home/alice", "XDG_CONFIG_HOME=" + (f.tmp / "xdg"),
                           "AUDITED_SOCAT_LOG_DIR=/tmp/evil", "AUDITED_SOCAT_SOCAT=/tmp/evil",
                           "AUDITED_SOCAT_TYPO=1", "SUDO_UID=1000"});
    auto s = load_settings(env, via_sudo(), f.locations);
    REQUIRE(s);
    CHECK(s->log_dir == f.tmp / "var-log");
    CHECK(s->key == "/etc/audited-socat/audit.key");
    CHECK_FALSE(s->socat_path);
    CHECK(s->environment_used.empty());
    CHECK(s->config_files.empty());

    f.system_config("log_dir = \"/srv/sys\"\nsocat_path = \"/opt/socat\"\n");
    auto with_system = load_settings(env, via_sudo(), f.locations);
    REQUIRE(with_system);
    CHECK(with_system->log_dir == "/srv/sys");
    CHECK(with_system->socat_path == "/opt/socat");
}

TEST_CASE("a system config that others can write stops everyone") {
    Fixture f;
    f.system_config("log_dir = \"/srv/sys\"\n");
    REQUIRE(::chmod((f.tmp / "etc/config.toml").c_str(), 0666) == 0);
    for (const auto& privilege : {user(), via_sudo()}) {
        auto s = load_settings(Environment({"HOME=/h"}), privilege, f.locations);
        REQUIRE_FALSE(s);
        CHECK_THAT(s.error().describe(), Catch::Contains("writable by group or others"));
    }
}

TEST_CASE("unknown, reserved and relative AUDITED_SOCAT_* variables are errors") {
    Fixture f;
    const auto error_of = [&](const std::string& entry) {
        auto s = load_settings(Environment({"HOME=/h", entry}), user(), f.locations);
        REQUIRE_FALSE(s);
        return s.error().describe();
    };
    CHECK(error_of("AUDITED_SOCAT_LOGDIR=/x") ==
          "unknown environment variable AUDITED_SOCAT_LOGDIR (known: AUDITED_SOCAT_CONFIG, "
          "AUDITED_SOCAT_LOG_DIR, AUDITED_SOCAT_SOCAT, AUDITED_SOCAT_KEY)");
    CHECK(error_of("AUDITED_SOCAT_CAPTURE=full") ==
          "environment variable AUDITED_SOCAT_CAPTURE is not supported by this version of "
          "audited-socat yet; unset it");
    CHECK(error_of("AUDITED_SOCAT_LOG_DIR=logs") ==
          "environment variable AUDITED_SOCAT_LOG_DIR must be an absolute path, got \"logs\"");
}
