#include <fcntl.h>
#include <unistd.h>

#include <catch2/catch.hpp>
#include <sys/stat.h>

#include "temp_dir.hpp"
#include "util/trusted_path.hpp"

using namespace asocat::util;

namespace {

const TrustPolicy me{::geteuid()};
constexpr uid_t kNobody = 65534;

mode_t mode_of(const std::string& path) {
    struct stat st {};
    REQUIRE(::lstat(path.c_str(), &st) == 0);
    return st.st_mode & 07777;
}

} // namespace

TEST_CASE("missing directories are created 0700 and the canonical path is reported") {
    TempDir tmp;
    auto dir = open_trusted_directory(tmp / "a/b/c", me, true);
    REQUIRE(dir);
    CHECK(dir->path == tmp / "a/b/c");
    CHECK(mode_of(tmp / "a") == 0700);
    CHECK(mode_of(tmp / "a/b/c") == 0700);
}

TEST_CASE("without create, a missing directory is ENOENT") {
    TempDir tmp;
    auto dir = open_trusted_directory(tmp / "missing", me, false);
    REQUIRE_FALSE(dir);
    CHECK(dir.error().errno_value() == ENOENT);
}

TEST_CASE("relative paths are refused") {
    auto dir = open_trusted_directory("relative/dir", me, true);
    REQUIRE_FALSE(dir);
    CHECK_THAT(dir.error().describe(), Catch::Contains("absolute"));
}

TEST_CASE("a group- or world-writable directory is refused, unless sticky on the way") {
    TempDir tmp;
    REQUIRE(::mkdir((tmp / "shared").c_str(), 0700) == 0);
    REQUIRE(::chmod((tmp / "shared").c_str(), 0770) == 0);
    auto final_dir = open_trusted_directory(tmp / "shared", me, false);
    REQUIRE_FALSE(final_dir);
    CHECK_THAT(final_dir.error().describe(), Catch::Contains("writable by group or others"));
    CHECK_THAT(final_dir.error().describe(), Catch::Contains("0770"));

    auto below = open_trusted_directory(tmp / "shared/logs", me, true);
    REQUIRE_FALSE(below);
    CHECK_THAT(below.error().describe(), Catch::Contains(tmp / "shared is writable"));

    // Sticky like /tmp: fine on the way, not as the directory itself.
    REQUIRE(::chmod((tmp / "shared").c_str(), 01777) == 0);
    CHECK(open_trusted_directory(tmp / "shared/logs", me, true));
    CHECK_FALSE(open_trusted_directory(tmp / "shared", me, false));
}

TEST_CASE("a directory owned by someone else is refused") {
    if (!running_as_root()) {
        WARN("needs root to chown");
        return;
    }
    TempDir tmp;
    REQUIRE(::mkdir((tmp / "theirs").c_str(), 0755) == 0);
    REQUIRE(::chown((tmp / "theirs").c_str(), kNobody, kNobody) == 0);
    auto dir = open_trusted_directory(tmp / "theirs/logs", me, true);
    REQUIRE_FALSE(dir);
    CHECK(dir.error().errno_value() == EPERM);
    CHECK_THAT(dir.error().describe(), Catch::Contains("owned by uid 65534"));
    // Nothing was created inside it.
    CHECK(::access((tmp / "theirs/logs").c_str(), F_OK) != 0);
}

TEST_CASE("symlinks are followed only when a trusted user owns them") {
    TempDir tmp;
    REQUIRE(::mkdir((tmp / "real").c_str(), 0700) == 0);
    REQUIRE(::symlink("real", (tmp / "link").c_str()) == 0);
    auto dir = open_trusted_directory(tmp / "link", me, false);
    REQUIRE(dir);
    CHECK(dir->path == tmp / "real");

    REQUIRE(::symlink((tmp / "real").c_str(), (tmp / "abs").c_str()) == 0);
    auto absolute = open_trusted_directory(tmp / "abs/../real", me, false);
    REQUIRE(absolute);
    CHECK(absolute->path == tmp / "real");

    if (running_as_root()) {
        REQUIRE(::lchown((tmp / "link").c_str(), kNobody, kNobody) == 0);
        auto planted = open_trusted_directory(tmp / "link", me, false);
        REQUIRE_FALSE(planted);
        CHECK_THAT(planted.error().describe(), Catch::Contains("symbolic link owned by uid"));
    }
}

TEST_CASE("symlink loops end with ELOOP") {
    TempDir tmp;
    REQUIRE(::symlink("b", (tmp / "a").c_str()) == 0);
    REQUIRE(::symlink("a", (tmp / "b").c_str()) == 0);
    auto dir = open_trusted_directory(tmp / "a", me, false);
    REQUIRE_FALSE(dir);
    CHECK(dir.error().errno_value() == ELOOP);
}

TEST_CASE("a file where a directory should be is ENOTDIR") {
    TempDir tmp;
    const int fd = ::open((tmp / "file").c_str(), O_CREAT | O_WRONLY, 0600);
    REQUIRE(fd >= 0);
    ::close(fd);
    auto dir = open_trusted_directory(tmp / "file/logs", me, true);
    REQUIRE_FALSE(dir);
    CHECK(dir.error().errno_value() == ENOTDIR);
}

TEST_CASE("entries resolve to their trusted parent, even when they do not exist yet") {
    TempDir tmp;
    auto entry = resolve_trusted_entry(tmp / "config.toml", me);
    REQUIRE(entry);
    CHECK(entry->name == "config.toml");
    CHECK(entry->path == tmp / "config.toml");

    REQUIRE(::mkdir((tmp / "etc").c_str(), 0700) == 0);
    REQUIRE(::symlink("etc/real.toml", (tmp / "config-link.toml").c_str()) == 0);
    auto followed = resolve_trusted_entry(tmp / "config-link.toml", me);
    REQUIRE(followed);
    CHECK(followed->path == tmp / "etc/real.toml");

    auto missing_parent = resolve_trusted_entry(tmp / "nope/config.toml", me);
    REQUIRE_FALSE(missing_parent);
    CHECK(missing_parent.error().errno_value() == ENOENT);
}

TEST_CASE("files must be owned by a trusted user and not writable by others") {
    struct stat st {};
    st.st_uid = ::geteuid();
    st.st_mode = S_IFREG | 0644;
    CHECK(untrusted_file_reason(st, me).empty());
    st.st_mode = S_IFREG | 0664;
    CHECK_THAT(untrusted_file_reason(st, me), Catch::Contains("writable by group or others"));
    st.st_mode = S_IFREG | 0644;
    st.st_uid = kNobody;
    CHECK_THAT(untrusted_file_reason(st, TrustPolicy{0}), Catch::Contains("owned by uid 65534"));
}
