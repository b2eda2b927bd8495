#include <catch2/catch.hpp>

#include "launch/wrapper.hpp"

using asocat::launch::socat_argv0;

TEST_CASE("argv[0] becomes socat only where it names audited-socat") {
    CHECK(socat_argv0("audited-socat") == "socat");
    CHECK(socat_argv0("/usr/local/bin/audited-socat") == "socat");
    CHECK(socat_argv0("socat") == "socat");
    CHECK(socat_argv0("/home/me/bin/socat") == "/home/me/bin/socat");
    CHECK(socat_argv0("my-audited-socat") == "my-audited-socat");
    CHECK(socat_argv0("") == "");
    CHECK(socat_argv0(nullptr) == "socat");
}
