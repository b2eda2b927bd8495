#include <fcntl.h>
#include <unistd.h>

#include <catch2/catch.hpp>
#include <csignal>
#include <fstream>
#include <sstream>
#include <sys/file.h>
#include <sys/resource.h>
#include <sys/stat.h>
#include <sys/wait.h>

#include "record/log_directory.hpp"
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

namespace {

util::Expected<record::LogHandle> open_active(const std::string& directory) {
    auto dir = record::LogDirectory::open(directory, me, true);
    if (!dir) {
        return dir.error();
    }
    return dir->open_log(record::kActiveLogName, true);
}

} // namespace

TEST_CASE("the log is created 0600 in a 0700 directory and lines are appended") {
    TempDir tmp;
    auto log = open_active(tmp / "logs");
    REQUIRE(log);
    CHECK(log->path == tmp / "logs/audit.jsonl");
    REQUIRE(record::LogDirectory::append(*log, "{\"a\":1}\n"));
    REQUIRE(record::LogDirectory::append(*log, "{\"b\":2}\n"));
    CHECK(log->size == 16);
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
    auto log = open_active(tmp / "logs");
    REQUIRE_FALSE(log);
    CHECK(log.error().errno_value() == ELOOP);
    CHECK_THAT(log.error().describe(), Catch::Contains("symbolic link"));
}

TEST_CASE("a planted FIFO, a hard link or a foreign owner is refused without blocking") {
    TempDir tmp;
    REQUIRE(::mkdir((tmp / "logs").c_str(), 0700) == 0);
    SECTION("fifo") {
        REQUIRE(::mkfifo((tmp / "logs/audit.jsonl").c_str(), 0600) == 0);
        auto log = open_active(tmp / "logs");
        REQUIRE_FALSE(log);
        CHECK_THAT(log.error().describe(), Catch::Contains("not a regular file"));
    }
    SECTION("hard link") {
        const int fd = ::open((tmp / "other").c_str(), O_CREAT | O_WRONLY, 0600);
        REQUIRE(fd >= 0);
        ::close(fd);
        REQUIRE(::link((tmp / "other").c_str(), (tmp / "logs/audit.jsonl").c_str()) == 0);
        auto log = open_active(tmp / "logs");
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
        auto log = open_active(tmp / "logs");
        REQUIRE_FALSE(log);
        CHECK_THAT(log.error().describe(), Catch::Contains("owned by uid 65534"));
    }
}

TEST_CASE("a write that fails halfway leaves the file exactly as it was") {
    TempDir tmp;
    auto log = open_active(tmp / "logs");
    REQUIRE(log);
    const std::string first = "{\"first\":true}\n";
    REQUIRE(record::LogDirectory::append(*log, first));
    {
        const FileSizeLimit limit(first.size() + 10); // room for 10 more bytes only
        const auto failed =
            record::LogDirectory::append(*log, "{\"second\":\"" + std::string(100, 'x') + "\"}\n");
        REQUIRE_FALSE(failed);
        CHECK(failed.error().errno_value() == EFBIG);
        CHECK_THAT(failed.error().describe(), Catch::Contains(tmp / "logs/audit.jsonl"));
    }
    CHECK(slurp(tmp / "logs/audit.jsonl") == first);
    REQUIRE(record::LogDirectory::append(*log, "{\"third\":3}\n"));
    CHECK(slurp(tmp / "logs/audit.jsonl") == first + "{\"third\":3}\n");
}

TEST_CASE("the lock is exclusive between processes") {
    TempDir tmp;
    auto dir = record::LogDirectory::open(tmp / "logs", me, true);
    REQUIRE(dir);
    auto held = dir->lock();
    REQUIRE(held);
    REQUIRE(*held);
    // A second open file description is refused too, at once when asked not to wait.
    auto busy = dir->lock(record::LockWait::unless_busy);
    REQUIRE(busy);
    CHECK_FALSE(*busy);
    // A child process must not get the lock while we hold it (flock is per open file).
    const pid_t child = ::fork();
    if (child == 0) {
        const int fd = ::open((tmp / "logs/.audit.lock").c_str(), O_RDWR | O_CLOEXEC);
        ::_exit(fd >= 0 && ::flock(fd, LOCK_EX | LOCK_NB) != 0 && errno == EWOULDBLOCK ? 0 : 1);
    }
    int status = 0;
    REQUIRE(::waitpid(child, &status, 0) == child);
    CHECK(WIFEXITED(status));
    CHECK(WEXITSTATUS(status) == 0);
}

TEST_CASE("renames never replace an existing file") {
    TempDir tmp;
    auto dir = record::LogDirectory::open(tmp / "logs", me, true);
    REQUIRE(dir);
    REQUIRE(dir->open_log("a.jsonl", true));
    REQUIRE(dir->open_log("b.jsonl", true));
    auto refused = dir->rename_exclusive("a.jsonl", "b.jsonl");
    REQUIRE_FALSE(refused);
    CHECK(refused.error().errno_value() == EEXIST);
    CHECK(dir->rename_exclusive("a.jsonl", "c.jsonl"));
}
