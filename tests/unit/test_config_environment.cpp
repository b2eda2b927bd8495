#include <catch2/catch.hpp>

#include "config/environment.hpp"

using asocat::config::Environment;

TEST_CASE("the first definition wins and empty means unset") {
    const Environment env({"A=1", "A=2", "EMPTY=", "B==x", "NOEQUALS"});
    CHECK(env.get("A") == "1");
    CHECK_FALSE(env.get("EMPTY").has_value());
    CHECK(env.get("B") == "=x");
    CHECK_FALSE(env.get("NOEQUALS").has_value());
    CHECK_FALSE(env.get("MISSING").has_value());
}

TEST_CASE("variables are listed by prefix in environment order") {
    const Environment env({"AUDITED_SOCAT_X=1", "PATH=/bin", "AUDITED_SOCAT_Y=", "AUDITED=1"});
    CHECK(env.names_with_prefix("AUDITED_SOCAT_") ==
          std::vector<std::string>{"AUDITED_SOCAT_X", "AUDITED_SOCAT_Y"});
}

TEST_CASE("from_envp reads a null-terminated array") {
    const char* envp[] = {"HOME=/root", "TERM=xterm", nullptr};
    const auto env = Environment::from_envp(envp);
    CHECK(env.get("TERM") == "xterm");
    CHECK(Environment::from_envp(nullptr).names_with_prefix("").empty());
}
