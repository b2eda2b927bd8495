#include <fcntl.h>
#include <unistd.h>

#include <catch2/catch.hpp>
#include <csignal>
#include <fstream>
#include <sstream>
#include <sys/mount.h>
#include <sys/resource.h>
#include <sys/stat.h>

#include "record/log_file.hpp"
#include "temp_dir.hpp"

using namespace asocat;

namespace {

const util::TrustPolicy me{::geteuid()};

std::string slurp(const std::string& path) {
    std::ifstream in(path, std::ios::binary);
    std::stringstream buffer;
    buffer << in.rdbuf();
    return buffer.str();
}

// Lowers RLIMIT_FSIZE for the test's duration so a write fails with EFBIG halfway.
class FileSizeLimit {
public:
    explicit FileSizeLimit(rlim_t bytes) {
        ::getrlimit(RLIMIT_FSIZE, &m_saved);
        m_previous_handler = std::signal(SIGXFSZ, SIG_IGN);
        const struct rlimit limit { bytes, m_saved.rlim_max };
        ::setrlimit(RLIMIT_FSIZE, &limit);
    }
    ~FileSizeLimit() {
        ::setrlimit(RLIMIT_FSIZE, &m_saved);
        std::signal(SIGXFSZ, m_previous_handler);
    }

private:
    struct rlimit m_saved {};
    void (*m_previous_handler)(int);
};

} // namespace

TEST_CASE("the log is created 0600 in a 0700 directory and lines are appended") {
    TempDir tmp;
    auto log = record::LogFile::open(tmp / "logs", me, true);
    REQUIRE(log);
    CHECK(log->path() == tmp / "logs/audit.jsonl");
    REQUIRE(log->append("{\"a\":1}\n"));
    REQUIRE(log->append("{\"b\":2}\n"));
    CHECK(slurp(tmp / "logs/audit.jsonl") == "{\"a\":1}\n{\"b\":2}\n");
    struct stat st {};
    REQUIRE(::stat((tmp / "logs/audit.jsonl").c_str(), &st) == 0);
    CHECK((st.st_mode & 07777) == 0600);
    REQUIRE(::stat((tmp / "logs").c_str(), &st) == 0);
    CHECK((st.st_mode & 07777) == 0700);
}

TEST_CASE("a planted symlink as the log file is refused") {
    TempDir tmp;
    REQUIRE(::mkdir((tmp / "logs").c_str(), 0700) == 0);
    REQUIRE(::symlink("/etc/passwd", (tmp / "logs/audit.jsonl").c_str()) == 0);
    auto log = record::LogFile::open(tmp / "logs", me, true);
    REQUIRE_FALSE(log);
    CHECK(log.error().errno_value() == ELOOP);
    CHECK_THAT(log.error().describe(), Catch::Contains("symbolic link"));
}

TEST_CASE("a planted FIFO, a hard link or a foreign owner is refused without blocking") {
    TempDir tmp;
    REQUIRE(::mkdir((tmp / "logs").c_str(), 0700) == 0);
    SECTION("fifo") {
        REQUIRE(::mkfifo((tmp / "logs/audit.jsonl").c_str(), 0600) == 0);
        auto log = record::LogFile::open(tmp / "logs", me, true);
        REQUIRE_FALSE(log);
        CHECK_THAT(log.error().describe(), Catch::Contains("not a regular file"));
    }
    SECTION("hard link") {
        const int fd = ::open((tmp / "other").c_str(), O_CREAT | O_WRONLY, 0600);
        REQUIRE(fd >= 0);
        ::close(fd);
        REQUIRE(::link((tmp / "other").c_str(), (tmp / "logs/audit.jsonl").c_str()) == 0);
        auto log = record::LogFile::open(tmp / "logs", me, true);
        REQUIRE_FALSE(log);
        CHECK_THAT(log.error().describe(), Catch::Contains("2 hard links"));
    }
    SECTION("foreign owner") {
        if (!running_as_root()) {
            return;
        }
        const int fd = ::open((tmp / "logs/audit.jsonl").c_str(), O_CREAT | O_WRONLY, 0600);
        REQUIRE(fd >= 0);
        ::close(fd);
        REQUIRE(::chown((tmp / "logs/audit.jsonl").c_str(), 65534, 65534) == 0);
        auto log = record::LogFile::open(tmp / "logs", me, true);
        REQUIRE_FALSE(log);
        CHECK_THAT(log.error().describe(), Catch::Contains("owned by uid 65534"));
    }
}

TEST_CASE("a write that fails halfway leaves the file exactly as it was") {
    TempDir tmp;
    auto log = record::LogFile::open(tmp / "logs", me, true);
    REQUIRE(log);
    const std::string first = "{\"first\":true}\n";
    REQUIRE(log->append(first));
    {
        const FileSizeLimit limit(first.size() + 10); // room for 10 more bytes only
        const auto failed = log->append("{\"second\":\"" + std::string(100, 'x') + "\"}\n");
        REQUIRE_FALSE(failed);
        CHECK(failed.error().errno_value() == EFBIG);
        CHECK_THAT(failed.error().describe(), Catch::Contains(tmp / "logs/audit.jsonl"));
    }
    CHECK(slurp(tmp / "logs/audit.jsonl") == first);
    REQUIRE(log->append("{\"third\":3}\n"));
    CHECK(slurp(tmp / "logs/audit.jsonl") == first + "{\"third\":3}\n");
}
