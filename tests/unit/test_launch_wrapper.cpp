#include <catch2/catch.hpp>

#include "launch/wrapper.hpp"

using asocat::launch::socat_argv0;

TEST_CASE("argv[0] becomes the socat executed only where it names audited-socat") {
    const std::string real = "/usr/bin/socat";
    CHECK(socat_argv0("audited-socat", real) == real);
    CHECK(socat_argv0("/usr/local/bin/audited-socat", real) == real);
    CHECK(socat_argv0("socat", real) == "socat");
    CHECK(socat_argv0("/home/me/bin/socat", real) == "/home/me/bin/socat");
    CHECK(socat_argv0("my-audited-socat", real) == "my-audited-socat");
    CHECK(socat_argv0("", real) == "");
    CHECK(socat_argv0(nullptr, real) == real);
}
