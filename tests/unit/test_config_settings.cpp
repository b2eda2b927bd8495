#include <unistd.h>

#include <catch2/catch.hpp>
#include <fstream>
#include <sys/stat.h>

#include "config/settings.hpp"
#include "session/capture_level.hpp"
#include "temp_dir.hpp"

using namespace asocat::config;
using asocat::session::CaptureLevel;

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
    CHECK(s->capture == CaptureLevel::digest);
    CHECK(s->capture_origin == Origin::builtin);

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
          "AUDITED_SOCAT_LOG_DIR, AUDITED_SOCAT_SOCAT, AUDITED_SOCAT_KEY, "
          "AUDITED_SOCAT_CAPTURE, AUDITED_SOCAT_TICKET, AUDITED_SOCAT_IDENTITY_TOKEN, "
          "AUDITED_SOCAT_IDENTITY_TOKEN_FILE)");
    CHECK(error_of("AUDITED_SOCAT_POLICY=/etc/p") ==
          "environment variable AUDITED_SOCAT_POLICY is not supported by this version of "
          "audited-socat yet; unset it");
    CHECK(error_of("AUDITED_SOCAT_LOG_DIR=logs") ==
          "environment variable AUDITED_SOCAT_LOG_DIR must be an absolute path, got \"logs\"");
}

TEST_CASE("the capture level comes from each layer, later layers winning") {
    Fixture f;
    const std::string xdg = "XDG_CONFIG_HOME=" + (f.tmp / "xdg");
    for (const auto level :
         {CaptureLevel::off, CaptureLevel::meta, CaptureLevel::digest, CaptureLevel::full}) {
        const std::string name(asocat::session::capture_level_name(level));
        INFO(name);

        f.system_config("capture = \"" + name + "\"\n");
        auto system = load_settings(Environment({"HOME=/h"}), user(), f.locations);
        REQUIRE(system);
        CHECK(system->capture == level);
        CHECK(system->capture_origin == Origin::system_config);

        f.system_config("capture = \"meta\"\n");
        f.user_config("capture = \"" + name + "\"\n");
        auto user_file = load_settings(Environment({"HOME=/h", xdg}), user(), f.locations);
        REQUIRE(user_file);
        CHECK(user_file->capture == level);
        CHECK(user_file->capture_origin == Origin::user_config);

        f.user_config("capture = \"digest\"\n");
        auto env = load_settings(Environment({"HOME=/h", xdg, "AUDITED_SOCAT_CAPTURE=" + name}),
                                 user(), f.locations);
        REQUIRE(env);
        CHECK(env->capture == level);
        CHECK(env->capture_origin == Origin::environment);
        CHECK(env->environment_used == std::vector<std::string>{"AUDITED_SOCAT_CAPTURE"});
    }

    // A layer that does not set it leaves the one below alone.
    f.system_config("capture = \"full\"\n");
    f.user_config("log_dir = \"/srv/user\"\n");
    auto kept = load_settings(Environment({"HOME=/h", xdg}), user(), f.locations);
    REQUIRE(kept);
    CHECK(kept->capture == CaptureLevel::full);
    CHECK(kept->capture_origin == Origin::system_config);
    CHECK(kept->environment_used.empty());
}

TEST_CASE("a bad AUDITED_SOCAT_CAPTURE names the variable and the valid values") {
    Fixture f;
    const auto error_of = [&](const std::string& value) {
        auto s = load_settings(Environment({"HOME=/h", "AUDITED_SOCAT_CAPTURE=" + value}), user(),
                               f.locations);
        REQUIRE_FALSE(s);
        return s.error().describe();
    };
    CHECK(error_of("FULL") == "environment variable AUDITED_SOCAT_CAPTURE must be one of off, "
                              "meta, digest, full, got \"FULL\"");
    CHECK(error_of("none") == "environment variable AUDITED_SOCAT_CAPTURE must be one of off, "
                              "meta, digest, full, got \"none\"");
    CHECK(error_of("full\n") == "environment variable AUDITED_SOCAT_CAPTURE must be one of off, "
                                "meta, digest, full, got \"full\\x0a\"");
    // Empty counts as unset, as for every variable.
    auto empty =
        load_settings(Environment({"HOME=/h", "AUDITED_SOCAT_CAPTURE="}), user(), f.locations);
    REQUIRE(empty);
    CHECK(empty->capture_origin == Origin::builtin);
    CHECK(empty->environment_used.empty());
}

TEST_CASE("a bad capture level in a config file names file and line") {
    Fixture f;
    f.user_config("\ncapture = \"everything\"\n");
    auto s = load_settings(Environment({"HOME=/h", "XDG_CONFIG_HOME=" + (f.tmp / "xdg")}), user(),
                           f.locations);
    REQUIRE_FALSE(s);
    CHECK(s.error().describe() == (f.tmp / "xdg/audited-socat/config.toml") +
                                      ":2:1: 'capture' must be one of off, meta, digest, full, "
                                      "got \"everything\"");
}

TEST_CASE("privileged runs keep the system config's capture level") {
    Fixture f;
    // The caller may neither lower it (switching auditing off) nor change it otherwise: the
    // environment and the user's config are ignored, as for every other setting.
    f.user_config("capture = \"off\"\n");
    const auto env_with = [&](const char* level) {
        return Environment({"HOME=/home/alice", "XDG_CONFIG_HOME=" + (f.tmp / "xdg"),
                            "SUDO_UID=1000", std::string("AUDITED_SOCAT_CAPTURE=") + level});
    };
    for (const char* lower : {"off", "meta"}) {
        INFO(lower);
        f.system_config("capture = \"digest\"\n");
        auto s = load_settings(env_with(lower), via_sudo(), f.locations);
        REQUIRE(s);
        CHECK(s->capture == CaptureLevel::digest);
        CHECK(s->capture_origin == Origin::system_config);
        CHECK(s->environment_used.empty());
    }
    // A value that would be an error unprivileged is not even looked at.
    auto bad = load_settings(env_with("bogus"), via_sudo(), f.locations);
    REQUIRE(bad);
    CHECK(bad->capture == CaptureLevel::digest);

    // Without a system setting, the built-in default holds.
    REQUIRE(::unlink((f.tmp / "etc/config.toml").c_str()) == 0);
    auto builtin = load_settings(env_with("off"), via_sudo(), f.locations);
    REQUIRE(builtin);
    CHECK(builtin->capture == CaptureLevel::digest);
    CHECK(builtin->capture_origin == Origin::builtin);
}

TEST_CASE("identity scalars come from the last layer, issuers from every layer in order") {
    Fixture f;
    const std::string xdg = "XDG_CONFIG_HOME=" + (f.tmp / "xdg");
    f.system_config("[identity]\nrequire_attested = true\nleeway = 30\n"
                    "[[identity.oidc]]\nissuer = \"https://corp\"\naudience = \"a\"\n"
                    "jwks = \"/etc/j\"\n[ticket]\npattern = \"OPS-[0-9]+\"\n");
    f.user_config("[identity]\nleeway = 5\ntoken_file = \"/home/t\"\n"
                  "[[identity.oidc]]\nissuer = \"https://ci\"\naudience = [\"b\", \"c\"]\n"
                  "jwks = \"https://ci/keys\"\njwks_ttl = 60\n");
    auto s = load_settings(Environment({"HOME=/h", xdg}), user(), f.locations);
    REQUIRE(s);
    CHECK(s->identity.require_attested == true);
    CHECK(s->identity.leeway_ms == 5000);
    CHECK(s->identity.token_file == "/home/t");
    REQUIRE(s->identity.oidc.size() == 2);
    CHECK(s->identity.oidc[0].issuer == "https://corp");
    CHECK(s->identity.oidc[0].jwks_ttl_ms == 3'600'000);
    CHECK(s->identity.oidc[1].audiences == std::vector<std::string>{"b", "c"});
    CHECK(s->identity.oidc[1].jwks_ttl_ms == 60'000);
    CHECK(s->ticket.pattern == "OPS-[0-9]+");
    CHECK(s->cache_dir == "/h/.cache/audited-socat");
    // A privileged run reads the system file alone and caches in the system's place.
    auto privileged = load_settings(Environment({"HOME=/h", xdg}), via_sudo(), f.locations);
    REQUIRE(privileged);
    CHECK(privileged->identity.oidc.size() == 1);
    CHECK(privileged->identity.leeway_ms == 30'000);
    CHECK(privileged->cache_dir == f.locations.system_cache_dir);
}
