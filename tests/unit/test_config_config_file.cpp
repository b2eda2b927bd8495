#include <fcntl.h>
#include <unistd.h>

#include <catch2/catch.hpp>
#include <fstream>
#include <sys/stat.h>

#include "config/config_file.hpp"
#include "session/capture_level.hpp"
#include "temp_dir.hpp"

using namespace asocat;
using config::parse_config;

TEST_CASE("a full config parses") {
    auto values = parse_config("socat_path = \"/opt/socat/bin/socat\"\n"
                               "log_dir = \"/srv/audit\"\n"
                               "fail_open = true\n",
                               "/etc/audited-socat/config.toml");
    REQUIRE(values);
    CHECK(values->socat_path == "/opt/socat/bin/socat");
    CHECK(values->log_dir == "/srv/audit");
    CHECK(values->fail_open == true);
}

TEST_CASE("keys and evidence tuning parse") {
    auto values = parse_config("key = \"/etc/audited-socat/audit.key\"\n"
                               "[evidence]\n"
                               "checkpoint_records = 50\n"
                               "checkpoint_interval = 0.25\n"
                               "heartbeat_interval = 30\n"
                               "rotate_size = 1048576\n",
                               "c.toml");
    REQUIRE(values);
    CHECK(values->key == "/etc/audited-socat/audit.key");
    CHECK(values->evidence.checkpoint_records == 50);
    CHECK(values->evidence.checkpoint_interval_ms == 250);
    CHECK(values->evidence.heartbeat_interval_ms == 30000);
    CHECK(values->evidence.rotate_size == 1048576);

    auto uri = parse_config("key = \"pkcs11:token=audit;object=log\"\nkey_name = \"h/a\"\n", "c");
    REQUIRE(uri);
    CHECK(uri->key == "pkcs11:token=audit;object=log");
    CHECK(uri->key_name == "h/a");
}

TEST_CASE("every capture level parses") {
    for (const auto* name : {"off", "meta", "digest", "full"}) {
        auto values = parse_config("capture = \"" + std::string(name) + "\"\n", "c.toml");
        REQUIRE(values);
        REQUIRE(values->capture);
        CHECK(session::capture_level_name(*values->capture) == name);
    }
    CHECK(parse_config("capture = \"off\"\n", "c")->capture == session::CaptureLevel::off);
    CHECK(parse_config("capture = \"meta\"\n", "c")->capture == session::CaptureLevel::meta);
    CHECK(parse_config("capture = \"digest\"\n", "c")->capture == session::CaptureLevel::digest);
    CHECK(parse_config("capture = \"full\"\n", "c")->capture == session::CaptureLevel::full);
}

TEST_CASE("capture level names round-trip and nothing else parses") {
    for (const auto level : {session::CaptureLevel::off, session::CaptureLevel::meta,
                             session::CaptureLevel::digest, session::CaptureLevel::full}) {
        CHECK(session::parse_capture_level(session::capture_level_name(level)) == level);
    }
    for (const auto* other : {"", "OFF", "Full", " full", "full ", "none", "digest\n", "meta,"}) {
        CHECK_FALSE(session::parse_capture_level(other));
    }
    CHECK(session::capture_level_names() == "off, meta, digest, full");
}

TEST_CASE("an empty config sets nothing") {
    auto values = parse_config("# nothing here\n", "c.toml");
    REQUIRE(values);
    CHECK_FALSE(values->socat_path);
    CHECK_FALSE(values->log_dir);
    CHECK_FALSE(values->fail_open);
    CHECK_FALSE(values->capture);
}

namespace {

// The one-line error of a config that must not parse.
std::string error_of(const std::string& text,
                     const std::string& origin = "/etc/audited-socat/config.toml") {
    auto values = parse_config(text, origin);
    REQUIRE_FALSE(values);
    return values.error().describe();
}

} // namespace

TEST_CASE("errors name file, line and column and say what to fix") {
    CHECK(error_of("log_dir = \"/x\"\nlogdir = \"/y\"\n") ==
          "/etc/audited-socat/config.toml:2:1: unknown key 'logdir' (known keys: socat_path, "
          "log_dir, fail_open, key, key_name, capture, [evidence], [identity], [ticket])");
    CHECK(error_of("\n\nlog_dir = \"relative/logs\"\n") ==
          "/etc/audited-socat/config.toml:3:1: 'log_dir' must be an absolute path, got "
          "\"relative/logs\"");
    CHECK(error_of("socat_path = 5\n") ==
          "/etc/audited-socat/config.toml:1:1: 'socat_path' must be a string (a quoted path)");
    CHECK(error_of("fail_open = \"yes\"\n") ==
          "/etc/audited-socat/config.toml:1:1: 'fail_open' must be true or false");
    CHECK(error_of("policy = \"/etc/audited-socat/policy.toml\"\n") ==
          "/etc/audited-socat/config.toml:1:1: 'policy' is not supported by this version of "
          "audited-socat yet; remove it");
    CHECK(error_of("\ncapture = \"Full\"\n") ==
          "/etc/audited-socat/config.toml:2:1: 'capture' must be one of off, meta, digest, full, "
          "got \"Full\"");
    CHECK(error_of("capture = \"\"\n") ==
          "/etc/audited-socat/config.toml:1:1: 'capture' must be one of off, meta, digest, full, "
          "got \"\"");
    CHECK(error_of("capture = \"\"\"full\n\"\"\"\n") ==
          "/etc/audited-socat/config.toml:1:1: 'capture' must be one of off, meta, digest, full, "
          "got \"full\\x0a\"");
    CHECK(error_of("capture = true\n") ==
          "/etc/audited-socat/config.toml:1:1: 'capture' must be one of off, meta, digest, full "
          "(a quoted string)");
    CHECK(error_of("[evidence]\ncheckpoint_records = 0\n") ==
          "/etc/audited-socat/config.toml:2:1: 'checkpoint_records' must be at least 1");
    CHECK(error_of("[evidence]\nrotate = 5\n") ==
          "/etc/audited-socat/config.toml:2:1: unknown key 'evidence.rotate' (known: "
          "checkpoint_records, checkpoint_interval, heartbeat_interval, rotate_size)");
    CHECK(error_of("key = \"relative.key\"\n") ==
          "/etc/audited-socat/config.toml:1:1: 'key' must be an absolute path, got "
          "\"relative.key\"");
    CHECK(error_of("key_name = \"has space\"\n") ==
          "/etc/audited-socat/config.toml:1:1: 'key_name' must be a non-empty string without "
          "spaces or '+'");
    CHECK_THAT(error_of("log_dir = \"/x\"\nlog_dir = \"/y\"\n"),
               Catch::StartsWith("/etc/audited-socat/config.toml:2:"));
    CHECK_THAT(error_of("log_dir = \n"), Catch::StartsWith("/etc/audited-socat/config.toml:1:"));
    CHECK_THAT(error_of("[unterminated\n"), Catch::StartsWith("/etc/audited-socat/config.toml:1:"));
}

TEST_CASE("config files are read only when their owner and mode can be trusted") {
    TempDir tmp;
    const auto path = tmp / "config.toml";
    const util::TrustPolicy me{::geteuid()};
    SECTION("absent is not an error") {
        auto loaded = config::load_config_file(path, me);
        REQUIRE(loaded);
        CHECK_FALSE(loaded->has_value());
    }
    SECTION("present and private is read") {
        std::ofstream(path) << "log_dir = \"/srv/audit\"\n";
        auto loaded = config::load_config_file(path, me);
        REQUIRE(loaded);
        REQUIRE(loaded->has_value());
        CHECK((*loaded)->log_dir == "/srv/audit");
    }
    SECTION("group-writable is refused") {
        std::ofstream(path) << "log_dir = \"/srv/audit\"\n";
        REQUIRE(::chmod(path.c_str(), 0664) == 0);
        auto loaded = config::load_config_file(path, me);
        REQUIRE_FALSE(loaded);
        CHECK(loaded.error().describe() == "config " + path +
                                               " is writable by group or others (mode 0664); "
                                               "refusing to read it (fix its owner or mode)");
    }
    SECTION("owned by another user is refused") {
        if (!running_as_root()) {
            return;
        }
        std::ofstream(path) << "log_dir = \"/srv/audit\"\n";
        REQUIRE(::chown(path.c_str(), 65534, 65534) == 0);
        auto loaded = config::load_config_file(path, util::TrustPolicy{0});
        REQUIRE_FALSE(loaded);
        CHECK_THAT(loaded.error().describe(), Catch::Contains("owned by uid 65534"));
    }
    SECTION("a directory in its place is refused") {
        REQUIRE(::mkdir(path.c_str(), 0700) == 0);
        auto loaded = config::load_config_file(path, me);
        REQUIRE_FALSE(loaded);
        CHECK_THAT(loaded.error().describe(), Catch::Contains("not a regular file"));
    }
}

TEST_CASE("an identity issuer parses with its defaults and bindings") {
    auto values = parse_config("[identity]\n"
                               "require_attested = true\n"
                               "leeway = 10\n"
                               "github_audience = \"audited-socat\"\n"
                               "token_env = \"CI_JOB_JWT_V2\"\n"
                               "[[identity.oidc]]\n"
                               "issuer = \"https://token.actions.githubusercontent.com\"\n"
                               "audience = \"audited-socat\"\n"
                               "jwks = \"https://token.actions.githubusercontent.com/.well-known/"
                               "jwks\"\n"
                               "mfa_acr = [\"phr\", \"phrh\"]\n"
                               "bind = { user = \"actor\", host = \"runner\" }\n",
                               "/c.toml");
    REQUIRE(values);
    const auto& identity = values->identity;
    CHECK(identity.require_attested == true);
    CHECK(identity.leeway_ms == 10'000);
    CHECK(identity.github_audience == "audited-socat");
    CHECK(identity.token_env == "CI_JOB_JWT_V2");
    REQUIRE(identity.oidc.size() == 1);
    const auto& issuer = identity.oidc[0];
    CHECK(issuer.audiences == std::vector<std::string>{"audited-socat"});
    CHECK(issuer.jwks_ttl_ms == 3'600'000);
    CHECK(issuer.mfa_acr == std::vector<std::string>{"phr", "phrh"});
    using Bind = std::pair<std::string, std::string>;
    CHECK(issuer.bind == std::vector<Bind>{{"host", "runner"}, {"user", "actor"}});
    CHECK(issuer.defined_at == "/c.toml:6:1");
}

TEST_CASE("identity and ticket mistakes name file, line, column and the fix") {
    const auto error_of = [](const std::string& text) { return ::error_of(text, "/c.toml"); };
    CHECK(error_of("[identity]\ntoken_env = \"A B\"\n") ==
          "/c.toml:2:1: 'token_env' must name an environment variable (letters, digits, _)");
    CHECK(error_of("[identity]\ntoken_file = \"token\"\n") ==
          "/c.toml:2:1: 'token_file' must be an absolute path, got \"token\"");
    CHECK(error_of("identity = 3\n") == "/c.toml:1:1: 'identity' must be a table ([identity])");
    CHECK(error_of("[identity]\noidc = 1\n") ==
          "/c.toml:2:1: 'oidc' must be an array of tables ([[identity.oidc]])");
    CHECK(error_of("[[identity.oidc]]\naudience = \"a\"\njwks = \"/j\"\n") ==
          "/c.toml:1:1: [[identity.oidc]] needs 'issuer'");
    CHECK(error_of("[[identity.oidc]]\nissuer = \"i\"\naudience = []\njwks = \"/j\"\n") ==
          "/c.toml:3:1: 'audience' must not be empty");
    CHECK(error_of("[[identity.oidc]]\nissuer = \"i\"\naudience = \"a\"\njwks = \"j.json\"\n") ==
          "/c.toml:4:1: 'jwks' must be an absolute path or an https:// URL: only https:// is "
          "fetched");
    CHECK(error_of("[ticket]\nrequired = 1\n") == "/c.toml:2:1: 'required' must be true or false");
    CHECK(error_of("[ticket]\nowner = \"x\"\n") ==
          "/c.toml:2:1: unknown key 'ticket.owner' (known: pattern, required, id, "
          "approval_issuer, approval_claim)");
}

TEST_CASE("JWKS URLs: https anywhere, plain http only to loopback") {
    using config::unacceptable_url;
    CHECK(unacceptable_url("https://issuer.example/jwks") == "");
    CHECK(unacceptable_url("http://127.0.0.1:8080/jwks") == "");
    CHECK(unacceptable_url("http://localhost/jwks") == "");
    CHECK(unacceptable_url("http://[::1]:99/jwks") == "");
    const std::string loopback_only =
        "http:// is accepted only for a loopback host (127.0.0.0/8, [::1], localhost)";
    CHECK(unacceptable_url("http://issuer.example/jwks") == loopback_only);
    // The host is what follows the last '@' of the authority, not the first name seen.
    CHECK(unacceptable_url("http://127.0.0.1:80@issuer.example/jwks") == loopback_only);
    CHECK(unacceptable_url("http://localhost.issuer.example/") == loopback_only);
    CHECK(unacceptable_url("http://127.issuer.example/") == loopback_only);
    CHECK(unacceptable_url("ftp://issuer.example/jwks") == "only https:// is fetched");
    CHECK(unacceptable_url("https://") == "it names no host");
    CHECK(unacceptable_url("https://a b") == "it contains spaces or control characters");
}
