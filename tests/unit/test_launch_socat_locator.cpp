#include <unistd.h>

#include <catch2/catch.hpp>
#include <filesystem>
#include <fstream>
#include <sstream>
#include <sys/stat.h>

#include "launch/socat_locator.hpp"
#include "temp_dir.hpp"
#include "util/sha256.hpp"

using namespace asocat;

namespace {

config::Privilege user() {
    return {false, false, false, ::geteuid()};
}

launch::SelfImage self() {
    auto image = launch::current_image();
    REQUIRE(image);
    return *image;
}

config::Settings with_path(const std::string& path) {
    config::Settings s;
    s.socat_path = path;
    s.socat_path_origin = config::Origin::environment;
    return s;
}

std::string file_sha256(const std::string& path) {
    std::ifstream in(path, std::ios::binary);
    std::stringstream buffer;
    buffer << in.rdbuf();
    return util::to_hex(util::sha256(buffer.str()));
}

// Runs locate_socat and returns the FatalError's status and message.
std::pair<int, std::string> failure_of(const config::Settings& settings) {
    try {
        (void)launch::locate_socat(settings, user(), config::Environment({}), self());
    } catch (const util::FatalError& e) {
        return {e.status(), e.what()};
    }
    FAIL("locate_socat did not fail");
    return {};
}

} // namespace

TEST_CASE("a configured socat is opened, checked and hashed") {
    auto found =
        launch::locate_socat(with_path("/usr/bin/socat"), user(), config::Environment({}), self());
    CHECK(found.path == "/usr/bin/socat");
    CHECK(found.source == "environment");
    CHECK(found.sha256 == file_sha256("/usr/bin/socat"));
    CHECK(found.fd.valid());
}

TEST_CASE("without configuration, /usr/bin/socat is the default") {
    auto found = launch::locate_socat(config::Settings{}, user(), config::Environment({}), self());
    CHECK(found.path == "/usr/bin/socat");
    CHECK(found.source == "default");
}

TEST_CASE("missing, non-executable and untrusted files fail with 127, 126 and 125") {
    TempDir tmp;
    CHECK(failure_of(with_path(tmp / "none")) ==
          std::pair<int, std::string>{127, "socat " + (tmp / "none") +
                                               " (from environment) does not exist"});

    std::filesystem::copy_file("/usr/bin/socat", tmp / "plain");
    REQUIRE(::chmod((tmp / "plain").c_str(), 0644) == 0);
    const auto [status, message] = failure_of(with_path(tmp / "plain"));
    CHECK(status == 126);
    CHECK_THAT(message, Catch::Contains("Permission denied (EACCES)"));

    REQUIRE(::chmod((tmp / "plain").c_str(), 0775) == 0);
    CHECK(failure_of(with_path(tmp / "plain")) ==
          std::pair<int, std::string>{125, "socat " + (tmp / "plain") +
                                               " is writable by group or others (mode 0775); "
                                               "refusing to run it"});
}

TEST_CASE("audited-socat itself is never taken for socat") {
    TempDir tmp;
    SECTION("the same file, through a symlink") {
        const auto me = self();
        REQUIRE(me.path);
        REQUIRE(::symlink(me.path->c_str(), (tmp / "socat").c_str()) == 0);
        const auto [status, message] = failure_of(with_path(tmp / "socat"));
        CHECK(status == 125);
        CHECK_THAT(message, Catch::Contains("is audited-socat itself; refusing to recurse"));
    }
    SECTION("a copy of the audited-socat binary") {
        std::filesystem::copy_file(ASOCAT_TEST_WRAPPER, tmp / "socat");
        const auto [status, message] = failure_of(with_path(tmp / "socat"));
        CHECK(status == 125);
        CHECK_THAT(message, Catch::Contains("is audited-socat itself"));
    }
    SECTION("the marker straddling two read chunks is still found") {
        std::string image(65536 - 7, '\0');
        image += launch::image_marker();
        image += std::string(100, '\0');
        std::ofstream(tmp / "socat", std::ios::binary) << image;
        REQUIRE(::chmod((tmp / "socat").c_str(), 0755) == 0);
        CHECK(failure_of(with_path(tmp / "socat")).first == 125);
    }
}

TEST_CASE("the PATH search skips relative entries and audited-socat, and takes real socat") {
    TempDir tmp;
    REQUIRE(::mkdir((tmp / "shim").c_str(), 0755) == 0);
    REQUIRE(::mkdir((tmp / "real").c_str(), 0755) == 0);
    std::filesystem::copy_file(ASOCAT_TEST_WRAPPER, tmp / "shim/socat");
    std::filesystem::copy_file("/usr/bin/socat", tmp / "real/socat");
    REQUIRE(::chmod((tmp / "real/socat").c_str(), 0755) == 0);
    const config::Environment env(
        {"PATH=relative::" + (tmp / "empty") + ":" + (tmp / "shim") + ":" + (tmp / "real")});
    auto found = launch::locate_socat(config::Settings{}, user(), env, self(), tmp / "none");
    CHECK(found.path == tmp / "real/socat");
    CHECK(found.source == "path");

    const config::Environment only_shim({"PATH=" + (tmp / "shim")});
    try {
        (void)launch::locate_socat(config::Settings{}, user(), only_shim, self(), tmp / "none");
        FAIL("no socat should be found");
    } catch (const util::FatalError& e) {
        CHECK(e.status() == 127);
        CHECK_THAT(e.what(),
                   Catch::Contains("skipped audited-socat itself at " + (tmp / "shim/socat")));
    }
}

TEST_CASE("privileged runs never search PATH") {
    TempDir tmp;
    REQUIRE(::mkdir((tmp / "real").c_str(), 0755) == 0);
    std::filesystem::copy_file("/usr/bin/socat", tmp / "real/socat");
    const config::Environment env({"PATH=" + (tmp / "real")});
    const config::Privilege sudo{true, true, false, 0};
    try {
        (void)launch::locate_socat(config::Settings{}, sudo, env, self(), tmp / "none");
        FAIL("a privileged run must not take socat from PATH");
    } catch (const util::FatalError& e) {
        CHECK(e.status() == 127);
    }
}

TEST_CASE("the hashed file is recognised as unchanged only while nothing touched it") {
    TempDir tmp;
    const auto path = tmp / "socat";
    std::filesystem::copy_file("/usr/bin/socat", path);
    REQUIRE(::chmod(path.c_str(), 0755) == 0);
    auto found = launch::locate_socat(with_path(path), user(), config::Environment({}), self());
    CHECK(launch::still_unchanged(found));

    SECTION("replaced by another file under the same name") {
        std::filesystem::copy_file("/usr/bin/socat", tmp / "other");
        REQUIRE(::rename((tmp / "other").c_str(), path.c_str()) == 0);
        CHECK_FALSE(launch::still_unchanged(found));
    }
    SECTION("modified in place") {
        std::ofstream(path, std::ios::app) << "x";
        CHECK_FALSE(launch::still_unchanged(found));
    }
    SECTION("moved away and back") {
        REQUIRE(::rename(path.c_str(), (tmp / "aside").c_str()) == 0);
        REQUIRE(::rename((tmp / "aside").c_str(), path.c_str()) == 0);
        CHECK_FALSE(launch::still_unchanged(found));
    }
    SECTION("removed") {
        REQUIRE(::unlink(path.c_str()) == 0);
        CHECK_FALSE(launch::still_unchanged(found));
    }
}
