// Benchmarks of the evidence layer: batched and single-record writes through ChainedLog,
// streaming verification, Ed25519 costs, bytes per record and the verifier's peak memory.
// Prints one "name value unit" line per figure (lines starting with "#" are remarks);
// scripts/bench formats them next to the start-up numbers and compares them with the goals.
//
// usage: asocat_evidence_bench [--records N] [--batch N] [--sessions N] [--sign-runs N]
//                              [--dir PARENT] [--keep]
#include <malloc.h>
#include <spawn.h>
#include <stdlib.h>

#include <algorithm>
#include <charconv>
#include <chrono>
#include <cstdint>
#include <cstdio>
#include <cstring>
#include <ctime>
#include <filesystem>
#include <fstream>
#include <stdexcept>
#include <string>
#include <string_view>
#include <sys/resource.h>
#include <sys/wait.h>
#include <vector>

#include "evidence/chained_log.hpp"
#include "evidence/checkpoint.hpp"
#include "evidence/ed25519.hpp"
#include "evidence/key_files.hpp"
#include "evidence/signed_note.hpp"
#include "evidence/verifier.hpp"
#include "record/log_directory.hpp"
#include "record/session_records.hpp"
#include "session/session_facts.hpp"
#include "util/io.hpp"
#include "util/trusted_path.hpp"

extern char** environ;

namespace {

using namespace asocat;
using Clock = std::chrono::steady_clock;
namespace fs = std::filesystem;

constexpr const char* kHost = "bench-7";
constexpr const char* kKeyName = "alice@bench-7/audited-socat";
constexpr int kFreshProcesses = 5;

struct Options {
    std::uint64_t records = 500'000; // batched write, rounded up to whole sessions
    std::uint64_t batch = 1000;      // drafts per append call
    std::uint64_t sessions = 2000;   // single-record path: start, then end + checkpoint
    std::size_t sign_runs = 2000;    // Ed25519 sign/verify repetitions (median reported)
    std::string parent_dir;          // where the temporary directory goes
    bool keep = false;
    std::string first_sign_key; // internal: the fresh-process Ed25519 probe
};

[[noreturn]] void fail(const std::string& what) {
    throw std::runtime_error(what);
}

template <class T>
T must(util::Expected<T> result, const char* what) {
    if (!result) {
        fail(std::string(what) + ": " + result.error().describe());
    }
    return std::move(*result);
}

double seconds_since(Clock::time_point start) {
    return std::chrono::duration<double>(Clock::now() - start).count();
}

// CPU time (user + system) of this single-threaded process: on a shared machine the per-core
// rate is what wall time would show on an idle one.
double cpu_seconds() {
    timespec now{};
    ::clock_gettime(CLOCK_PROCESS_CPUTIME_ID, &now);
    return static_cast<double>(now.tv_sec) + static_cast<double>(now.tv_nsec) / 1e9;
}

double micros(Clock::duration d) {
    return std::chrono::duration<double, std::micro>(d).count();
}

double median(std::vector<double> values) {
    if (values.empty()) {
        return 0;
    }
    const auto middle = values.begin() + static_cast<std::ptrdiff_t>(values.size() / 2);
    std::nth_element(values.begin(), middle, values.end());
    return *middle;
}

double as_double(std::uint64_t n) {
    return static_cast<double>(n);
}

void figure(const char* name, double value, const char* unit) {
    // Large figures in full (no exponent), small ones to six significant digits.
    if (value >= 1e6) {
        std::printf("%s %.0f %s\n", name, value, unit);
    } else {
        std::printf("%s %.6g %s\n", name, value, unit);
    }
    std::fflush(stdout); // progress is visible while the slow parts run
}

std::uint64_t parse_count(std::string_view flag, const char* text) {
    std::uint64_t value = 0;
    const std::string_view s(text);
    const auto [end, error] = std::from_chars(s.data(), s.data() + s.size(), value);
    if (error != std::errc() || end != s.data() + s.size() || value == 0) {
        fail(std::string(flag) + " wants a positive integer, not \"" + std::string(s) + "\"");
    }
    return value;
}

Options parse_options(int argc, char** argv) {
    Options options;
    for (int i = 1; i < argc; ++i) {
        const std::string_view flag(argv[i]);
        if (flag == "--keep") {
            options.keep = true;
            continue;
        }
        if (flag == "--help" || flag == "-h") {
            std::printf("usage: %s [--records N] [--batch N] [--sessions N] [--sign-runs N] "
                        "[--dir PARENT] [--keep]\n",
                        argv[0]);
            std::exit(0);
        }
        if (i + 1 >= argc) {
            fail("unknown option or missing value: " + std::string(flag));
        }
        const char* value = argv[++i];
        if (flag == "--records") {
            options.records = parse_count(flag, value);
        } else if (flag == "--batch") {
            options.batch = parse_count(flag, value);
        } else if (flag == "--sessions") {
            options.sessions = parse_count(flag, value);
        } else if (flag == "--sign-runs") {
            options.sign_runs = static_cast<std::size_t>(parse_count(flag, value));
        } else if (flag == "--dir") {
            options.parent_dir = value;
        } else if (flag == "--first-sign") {
            options.first_sign_key = value;
        } else {
            fail("unknown option: " + std::string(flag));
        }
    }
    return options;
}

// A private scratch directory (0700 from mkdtemp, so LogDirectory trusts it), removed on exit.
class TempDir {
public:
    TempDir(const std::string& parent, bool keep) : m_keep(keep) {
        const char* tmp = std::getenv("TMPDIR");
        std::string base = !parent.empty() ? parent : (tmp != nullptr && *tmp ? tmp : "/tmp");
        std::string pattern = fs::absolute(base).string() + "/asocat-evidence-bench-XXXXXX";
        if (::mkdtemp(pattern.data()) == nullptr) {
            fail("mkdtemp " + pattern + ": " + std::strerror(errno));
        }
        m_path = pattern;
    }
    TempDir(const TempDir&) = delete;
    TempDir& operator=(const TempDir&) = delete;
    ~TempDir() {
        if (m_keep) {
            std::printf("# kept %s\n", m_path.c_str());
            return;
        }
        std::error_code ignored;
        fs::remove_all(m_path, ignored);
    }
    const std::string& path() const { return m_path; }

private:
    std::string m_path;
    bool m_keep;
};

// Realistic session facts, varied per session so no two records are alike (ids, pids, times).
class SessionFactory {
public:
    SessionFactory() {
        m_start.host_name = kHost;
        m_start.wrapper = {"0.1.0", 0, std::string("/usr/bin/audited-socat"), true};
        m_start.settings = {{"/etc/audited-socat/config.toml"},
                            {"AUDITED_SOCAT_LOG_DIR"},
                            "/var/log/audited-socat/audit.jsonl",
                            false,
                            "default"};
        m_start.socat = {"/usr/bin/socat", std::string(64, 'a')};
        m_start.args = {"socat", "-d", "-d", "TCP-LISTEN:8080,fork,reuseaddr",
                        "TCP:db.internal.example:5432"};
        m_start.working_directory = "/home/alice";
        m_start.identity.uid = {1000, std::string("alice")};
        m_start.identity.euid = {0, std::string("root")};
        m_start.identity.gid = {1000, std::string("alice")};
        m_start.identity.egid = {0, std::string("root")};
        m_start.identity.groups = {{0, std::string("root")}};
        m_start.identity.loginuid = 1000;
        m_start.identity.audit_session = 7;
        m_start.identity.tty = std::string("/dev/pts/3");
        m_start.identity.parent = {4000,
                                   std::string("/usr/bin/sudo"),
                                   std::string("sudo"),
                                   {"sudo", "audited-socat", "-d", "-d"}};
    }

    // Session `n` started at a fixed epoch plus n milliseconds and ran for 2.5 s.
    record::RecordDraft start(std::uint64_t n) {
        session::SessionStart s = m_start;
        s.id = session_id(n);
        s.time = time_of(n, 0);
        s.wrapper.pid = pid_of(n);
        s.socat_pid = pid_of(n) + 1;
        return record::session_start_record(std::move(s));
    }

    record::RecordDraft end(std::uint64_t n) {
        session::SessionEnd e;
        e.id = session_id(n);
        e.start = time_of(n, 0);
        e.end = time_of(n, 2'500'000'000);
        e.duration_ns = 2'500'000'000;
        e.socat_pid = pid_of(n) + 1;
        e.exec_check = session::ExecCheck::matched;
        return record::session_end_record(std::move(e));
    }

    // Record `i` of a stream of whole sessions: even is a start, odd its end.
    record::RecordDraft record(std::uint64_t i) { return i % 2 == 0 ? start(i / 2) : end(i / 2); }

private:
    static std::string session_id(std::uint64_t n) {
        char text[48];
        std::snprintf(text, sizeof text, "0f0e0d0c-0b0a-4908-8706-%012llx",
                      static_cast<unsigned long long>(n & 0xffff'ffff'ffffu));
        return text;
    }
    static util::WallTime time_of(std::uint64_t n, std::int64_t offset_ns) {
        const std::int64_t ns = static_cast<std::int64_t>(n) * 1'000'000 + offset_ns;
        return {1796423008 + ns / 1'000'000'000, ns % 1'000'000'000};
    }
    static pid_t pid_of(std::uint64_t n) {
        return static_cast<pid_t>(10'000 + (n * 2) % 4'000'000);
    }

    session::SessionStart m_start;
};

struct Bench {
    Options options;
    std::string key_file;
    evidence::SigningIdentity identity;
    util::TrustPolicy policy{::geteuid()};
};

evidence::ChainedLog open_log(const Bench& bench, const std::string& dir,
                              std::uint64_t checkpoint_records) {
    auto directory = must(record::LogDirectory::open(dir, bench.policy, true), "log directory");
    // The product's defaults otherwise: rotation at 64 MiB (its fsync and rename are part of
    // the cost), no time-driven checkpoints (tick() is never called).
    evidence::EvidenceSettings settings;
    settings.checkpoint_records = checkpoint_records;
    auto log =
        must(evidence::ChainedLog::open(std::move(directory), bench.identity, settings, kHost),
             "opening the chained log");
    log.attach_key(must(evidence::load_private_key(bench.identity, bench.policy), "private key"));
    return log;
}

// A rotated series oldest first, then audit.jsonl: the order `*.jsonl` expands to.
std::vector<std::string> log_files(const std::string& dir) {
    std::vector<std::string> files;
    for (const auto& entry : fs::directory_iterator(dir)) {
        const std::string name = entry.path().filename().string();
        if (name.starts_with("audit-") && name.ends_with(".jsonl")) {
            files.push_back(entry.path().string());
        }
    }
    std::sort(files.begin(), files.end());
    files.push_back(dir + "/" + record::kActiveLogName);
    return files;
}

std::uint64_t total_size(const std::vector<std::string>& files) {
    std::uint64_t bytes = 0;
    for (const auto& file : files) {
        bytes += fs::file_size(file);
    }
    return bytes;
}

// 1. The capture engine's path: `batch` drafts per append, a checkpoint every 1000 records.
std::uint64_t write_batched(const Bench& bench, const std::string& dir) {
    auto log = open_log(bench, dir, 1000);
    SessionFactory factory;
    // Whole sessions, so the verifier finds none left open.
    const std::uint64_t records = (bench.options.records + 1) / 2 * 2;
    std::vector<record::RecordDraft> drafts;
    drafts.reserve(static_cast<std::size_t>(bench.options.batch));
    // Only append() is timed: building drafts is the capture engine's work (reported apart).
    Clock::duration building{}, appending{};
    double cpu = 0;
    for (std::uint64_t i = 0; i < records;) {
        const auto built = Clock::now();
        drafts.clear();
        for (std::uint64_t k = 0; k < bench.options.batch && i < records; ++k, ++i) {
            drafts.push_back(factory.record(i));
        }
        const auto appended = Clock::now();
        const double cpu_before = cpu_seconds();
        must(log.append(drafts, evidence::Seal::none), "batched append");
        cpu += cpu_seconds() - cpu_before;
        appending += Clock::now() - appended;
        building += appended - built;
    }
    // Seal the tail as a closing writer would, so the series verifies as complete.
    const auto sealed = Clock::now();
    const double cpu_before = cpu_seconds();
    must(log.append({}, evidence::Seal::checkpoint, "close"), "final checkpoint");
    cpu += cpu_seconds() - cpu_before;
    appending += Clock::now() - sealed;

    const double secs = std::chrono::duration<double>(appending).count();
    figure("write.batched.records", as_double(records), "records");
    figure("write.batched.batch", as_double(bench.options.batch), "drafts/append");
    figure("write.batched.seconds", secs, "s");
    figure("write.batched.cpu_seconds", cpu, "s");
    figure("write.batched.records_per_s", as_double(records) / secs, "records/s");
    figure("write.batched.records_per_cpu_s", as_double(records) / cpu, "records/s");
    figure("write.batched.us_per_record", micros(appending) / as_double(records), "us");
    figure("write.batched.draft_build_us_per_record", micros(building) / as_double(records), "us");
    return records;
}

// 2. The wrapper's path: one draft per append; each session ends with a signed checkpoint.
// Without the fsync the wrapper adds after session.start (that is the disk's cost, not ours);
// the loop's rate includes building the two drafts (under 1 us each).
void write_single(const Bench& bench, const std::string& dir) {
    auto log = open_log(bench, dir, 1000);
    SessionFactory factory;
    const std::string active = log.active_path();
    const std::uint64_t header_bytes = fs::file_size(active);
    std::vector<double> start_us, end_us;
    start_us.reserve(static_cast<std::size_t>(bench.options.sessions));
    end_us.reserve(static_cast<std::size_t>(bench.options.sessions));
    const auto began = Clock::now();
    const double cpu_began = cpu_seconds();
    for (std::uint64_t n = 0; n < bench.options.sessions; ++n) {
        const std::vector<record::RecordDraft> start{factory.start(n)};
        const auto t0 = Clock::now();
        must(log.append(start, evidence::Seal::none), "session.start append");
        const auto t1 = Clock::now();
        const std::vector<record::RecordDraft> end{factory.end(n)};
        const auto t2 = Clock::now();
        must(log.append(end, evidence::Seal::checkpoint), "session.end append");
        const auto t3 = Clock::now();
        start_us.push_back(micros(t1 - t0));
        end_us.push_back(micros(t3 - t2));
        if (n == 0) {
            // 5. What one session costs on disk: start + end + its checkpoint.
            const std::uint64_t session_bytes = fs::file_size(active) - header_bytes;
            figure("size.header_bytes", as_double(header_bytes), "bytes");
            figure("size.session_bytes", as_double(session_bytes), "bytes/session");
            figure("size.session_bytes_per_record", as_double(session_bytes) / 2, "bytes/record");
        }
    }
    const double secs = seconds_since(began);
    const double cpu = cpu_seconds() - cpu_began;
    const double sessions = as_double(bench.options.sessions);
    figure("write.single.sessions", sessions, "sessions");
    figure("write.single.records_per_s", 2 * sessions / secs, "records/s");
    figure("write.single.records_per_cpu_s", 2 * sessions / cpu, "records/s");
    figure("write.single.sessions_per_s", sessions / secs, "sessions/s");
    figure("write.single.start_append_us", median(start_us), "us");
    figure("write.single.end_checkpoint_append_us", median(end_us), "us");
}

// Resets the kernel's RSS high-water mark to the current RSS (Linux >= 4.0), so getrusage's
// ru_maxrss afterwards is the peak of what follows, not of the writes before.
bool reset_peak_rss() {
    ::malloc_trim(0); // return what the writers freed, so the baseline is the verifier's own
    std::ofstream clear("/proc/self/clear_refs");
    clear << "5";
    clear.flush();
    return static_cast<bool>(clear);
}

long current_rss_kb() {
    std::ifstream status("/proc/self/status");
    std::string line;
    while (std::getline(status, line)) {
        if (line.starts_with("VmRSS:")) {
            return std::strtol(line.c_str() + 6, nullptr, 10);
        }
    }
    return -1;
}

long peak_rss_kb() {
    struct rusage usage {};
    ::getrusage(RUSAGE_SELF, &usage);
    return usage.ru_maxrss;
}

struct VerifyRun {
    evidence::VerifyReport report;
    double seconds = 0;
    double cpu_seconds = 0;
    std::uint64_t bytes = 0;
    std::uint64_t lines = 0;
};

// 3 and 6. One verification, single-threaded: its rate and its own peak RSS, as
// verify.<label>.* figures.
VerifyRun verify(const std::vector<std::string>& files, const evidence::PinnedKey& key,
                 const std::string& label) {
    const bool reset = reset_peak_rss();
    const long baseline = current_rss_kb();
    VerifyRun run;
    const auto began = Clock::now();
    const double cpu_began = cpu_seconds();
    run.report = evidence::verify_logs(files, key, nullptr);
    run.cpu_seconds = cpu_seconds() - cpu_began;
    run.seconds = seconds_since(began);
    const long peak = peak_rss_kb();
    if (run.report.outcome != evidence::Outcome::complete) {
        const auto& why = run.report.tampering
                              ? run.report.tampering->detail
                              : (run.report.gaps.empty() ? "" : run.report.gaps.front().detail);
        fail("verification of the " + label + " log did not pass: " + why);
    }
    run.bytes = total_size(files);
    for (const auto& summary : run.report.files) {
        run.lines += summary.records;
    }
    if (!reset) {
        std::printf("# cannot reset the RSS high-water mark: peaks include the writes before\n");
    }
    const auto name = [&](const char* what) { return "verify." + label + "." + what; };
    const double lines = as_double(run.lines);
    const double mb = as_double(run.bytes) / 1e6;
    figure(name("lines").c_str(), lines, "lines");
    figure(name("checkpoints").c_str(), as_double(run.report.checkpoints), "checkpoints");
    figure(name("bytes").c_str(), as_double(run.bytes), "bytes");
    figure(name("seconds").c_str(), run.seconds, "s");
    figure(name("cpu_seconds").c_str(), run.cpu_seconds, "s");
    figure(name("lines_per_s").c_str(), lines / run.seconds, "lines/s");
    figure(name("lines_per_cpu_s").c_str(), lines / run.cpu_seconds, "lines/s");
    figure(name("mb_per_s").c_str(), mb / run.seconds, "MB/s");
    figure(name("mb_per_cpu_s").c_str(), mb / run.cpu_seconds, "MB/s");
    figure(name("rss_baseline_kb").c_str(), static_cast<double>(baseline), "KiB");
    figure(name("rss_peak_kb").c_str(), static_cast<double>(peak), "KiB");
    return run;
}

// 4. Signing and verifying a typical checkpoint note body with a warm provider.
void ed25519_costs(const Bench& bench, const evidence::PinnedKey& pinned) {
    const auto key = must(evidence::load_private_key(bench.identity, bench.policy), "private key");
    util::Digest256 root{};
    root.fill(0x5a);
    const evidence::Checkpoint checkpoint{std::string(kHost) +
                                              "/audited-socat/11111111-2222-4333-8444-555555555555",
                                          500'001,
                                          root,
                                          {}};
    const std::string body = checkpoint.body();
    const std::size_t runs = bench.options.sign_runs;
    std::vector<double> sign_us, verify_us, note_sign_us, note_open_us;
    evidence::SignatureBytes signature{};
    std::string note;
    for (std::size_t i = 0; i < runs; ++i) {
        auto t = Clock::now();
        signature = must(key.sign(body), "sign");
        sign_us.push_back(micros(Clock::now() - t));
        t = Clock::now();
        if (!pinned.key().verify(body, signature)) {
            fail("a fresh signature does not verify");
        }
        verify_us.push_back(micros(Clock::now() - t));
        t = Clock::now();
        note = must(evidence::sign_note(body, bench.identity.name, key), "sign_note");
        note_sign_us.push_back(micros(Clock::now() - t));
        t = Clock::now();
        if (evidence::open_note(note, pinned).verdict != evidence::NoteVerdict::verified) {
            fail("a fresh note does not verify");
        }
        note_open_us.push_back(micros(Clock::now() - t));
    }
    figure("ed25519.body_bytes", as_double(body.size()), "bytes");
    figure("ed25519.sign_us", median(sign_us), "us");
    figure("ed25519.verify_us", median(verify_us), "us");
    figure("ed25519.note_sign_us", median(note_sign_us), "us");
    figure("ed25519.note_open_us", median(note_open_us), "us");
}

// Internal mode, run in a fresh process: what the first use of OpenSSL costs the wrapper
// (parsing the PEM key initialises the providers) and the first sign and verify after it.
int first_sign_probe(const std::string& key_file) {
    const util::TrustPolicy policy{::geteuid()};
    const auto identity = must(evidence::read_key_identity(key_file, policy), "key identity");
    const std::string body = "bench-7/audited-socat/11111111-2222-4333-8444-555555555555\n"
                             "2\nWlpaWlpaWlpaWlpaWlpaWlpaWlpaWlpaWlpaWlpaWlo=\n";
    const auto t0 = Clock::now();
    const auto key = must(evidence::load_private_key(identity, policy), "private key");
    const auto t1 = Clock::now();
    const auto first = must(key.sign(body), "sign");
    const auto t2 = Clock::now();
    const auto second = must(key.sign(body), "sign");
    const auto t3 = Clock::now();
    const auto pinned = must(evidence::PinnedKey::from_vkey(identity.vkey), "vkey");
    const auto t4 = Clock::now();
    const bool verified = pinned.key().verify(body, first) && pinned.key().verify(body, second);
    const auto t5 = Clock::now();
    std::printf("%.3f %.3f %.3f %.3f %d\n", micros(t1 - t0), micros(t2 - t1), micros(t3 - t2),
                micros(t5 - t4) / 2, verified ? 1 : 0);
    return verified ? 0 : 1;
}

// Runs this program's probe mode in a new process and returns its five numbers.
std::vector<double> run_probe(const std::string& key_file) {
    auto pipe = must(util::make_pipe(), "pipe");
    posix_spawn_file_actions_t actions;
    ::posix_spawn_file_actions_init(&actions);
    ::posix_spawn_file_actions_adddup2(&actions, pipe.write_end.get(), STDOUT_FILENO);
    std::string self = "/proc/self/exe";
    std::string flag = "--first-sign";
    std::string arg = key_file;
    char* argv[] = {self.data(), flag.data(), arg.data(), nullptr};
    pid_t pid = 0;
    const int spawned = ::posix_spawn(&pid, self.c_str(), &actions, nullptr, argv, environ);
    ::posix_spawn_file_actions_destroy(&actions);
    if (spawned != 0) {
        fail(std::string("posix_spawn: ") + std::strerror(spawned));
    }
    pipe.write_end.reset();
    auto read = util::read_all(pipe.read_end.get(), 4096);
    int status = 0;
    ::waitpid(pid, &status, 0); // reaped before anything can throw
    const auto output = must(std::move(read), "probe output");
    if (!WIFEXITED(status) || WEXITSTATUS(status) != 0) {
        fail("the fresh-process probe failed: " + output);
    }
    std::vector<double> values;
    const char* p = output.c_str();
    char* end = nullptr;
    for (double v = std::strtod(p, &end); end != p; v = std::strtod(p, &end)) {
        values.push_back(v);
        p = end;
    }
    if (values.size() != 5) {
        fail("unexpected probe output: " + output);
    }
    return values;
}

void fresh_process_costs(const Bench& bench) {
    std::vector<double> load, first, later, verify_us;
    for (int i = 0; i < kFreshProcesses; ++i) {
        const auto values = run_probe(bench.key_file);
        load.push_back(values[0]);
        first.push_back(values[1]);
        later.push_back(values[2]);
        verify_us.push_back(values[3]);
    }
    figure("ed25519.fresh_load_key_us", median(load), "us");
    figure("ed25519.fresh_first_sign_us", median(first), "us");
    figure("ed25519.fresh_second_sign_us", median(later), "us");
    figure("ed25519.fresh_verify_us", median(verify_us), "us");
}

void run(const Options& options) {
    const TempDir temp(options.parent_dir, options.keep);
    Bench bench{options, {}, {}, util::TrustPolicy{::geteuid()}};
    const std::string keys = temp.path() + "/keys";
    must(evidence::create_key_files(keys, kKeyName, bench.policy), "creating the key");
    bench.key_file = keys + "/" + evidence::kPrivateKeyName;
    bench.identity = must(evidence::read_key_identity(bench.key_file, bench.policy), "identity");
    const auto pinned =
        must(evidence::read_pinned_key(keys + "/" + evidence::kPublicKeyName), "public key");
    std::printf("# temporary directory %s\n", temp.path().c_str());

    const std::string batched_dir = temp.path() + "/batched";
    const std::string single_dir = temp.path() + "/single";
    const std::uint64_t records = write_batched(bench, batched_dir);
    write_single(bench, single_dir);

    // The small log (the wrapper's: a checkpoint per session) first, so the big one cannot
    // inflate its peak.
    verify(log_files(single_dir), pinned, "small");
    const auto files = log_files(batched_dir);
    const auto big = verify(files, pinned, "big");
    figure("write.batched.files", as_double(files.size()), "files");
    figure("write.batched.checkpoints", as_double(big.report.checkpoints), "checkpoints");
    figure("size.batched_bytes_per_line", as_double(big.bytes) / as_double(big.lines), "bytes");
    figure("size.batched_bytes_per_record", as_double(big.bytes) / as_double(records),
           "bytes/record");

    ed25519_costs(bench, pinned);
    fresh_process_costs(bench);
}

} // namespace

int main(int argc, char** argv) {
    try {
        const Options options = parse_options(argc, argv);
        if (!options.first_sign_key.empty()) {
            return first_sign_probe(options.first_sign_key);
        }
        run(options);
        return 0;
    } catch (const std::exception& e) {
        std::fprintf(stderr, "asocat_evidence_bench: %s\n", e.what());
        return 1;
    }
}
