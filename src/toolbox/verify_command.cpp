// socat-audit verify --pubkey K [--state FILE] [--json] LOG...
#include <cstdio>
#include <cstring>
#include <sys/stat.h>

#include "evidence/key_files.hpp"
#include "evidence/verifier.hpp"
#include "record/json_writer.hpp"
#include "toolbox/commands.hpp"
#include "toolbox/terminal_style.hpp"

namespace asocat::toolbox {
namespace {

using evidence::Finding;
using evidence::Outcome;
using evidence::VerifyReport;

const char* outcome_words(Outcome outcome) {
    switch (outcome) {
    case Outcome::complete:
        return "verified and complete";
    case Outcome::tampered:
        return "TAMPERED";
    case Outcome::incomplete:
        return "verified, but completeness is not proven";
    }
    return "unknown";
}

std::string where(const Finding& f) {
    std::string text = f.file;
    if (f.line > 0) {
        text += ":" + std::to_string(f.line) + " (";
        if (f.seq) {
            text += "seq " + std::to_string(*f.seq) + ", ";
        }
        text += "byte " + std::to_string(f.offset) + ")";
    }
    return text;
}

void print_human(const VerifyReport& report) {
    const TerminalStyle style(stdout);
    for (const auto& file : report.files) {
        if (!file.passed) {
            continue;
        }
        std::printf("%s %s: log %s, %llu records, %llu checkpoints, %llu sessions, signed "
                    "through record %llu\n",
                    style.green("PASS").c_str(), file.file.c_str(), file.log_id.c_str(),
                    static_cast<unsigned long long>(file.records),
                    static_cast<unsigned long long>(file.checkpoints),
                    static_cast<unsigned long long>(file.sessions),
                    static_cast<unsigned long long>(file.sealed_size));
    }
    if (report.tampering) {
        const auto& f = *report.tampering;
        std::printf("%s %s: %s: %s\n", style.red("FAIL").c_str(), where(f).c_str(),
                    evidence::problem_name(f.problem), f.detail.c_str());
    }
    for (const auto& f : report.gaps) {
        std::printf("%s %s: %s: %s\n", style.yellow("WARN").c_str(), where(f).c_str(),
                    evidence::problem_name(f.problem), f.detail.c_str());
    }
    const auto painted =
        report.outcome == Outcome::complete   ? style.green(outcome_words(report.outcome))
        : report.outcome == Outcome::tampered ? style.red(outcome_words(report.outcome))
                                              : style.yellow(outcome_words(report.outcome));
    std::printf("%zu file(s), %llu records, %llu checkpoints, %llu sessions: %s\n",
                report.files.size(), static_cast<unsigned long long>(report.records),
                static_cast<unsigned long long>(report.checkpoints),
                static_cast<unsigned long long>(report.sessions), painted.c_str());
}

void write_finding(record::JsonWriter& w, const Finding& f) {
    w.begin_object();
    w.key("problem").text(evidence::problem_name(f.problem));
    w.key("file").text_lossy(f.file);
    w.key("line").integer(static_cast<std::int64_t>(f.line));
    w.key("seq");
    if (f.seq) {
        w.integer(static_cast<std::int64_t>(*f.seq));
    } else {
        w.null();
    }
    w.key("offset").integer(static_cast<std::int64_t>(f.offset));
    w.key("detail").text_lossy(f.detail);
    w.end_object();
}

void print_json(const VerifyReport& report) {
    record::JsonWriter w;
    w.begin_object();
    w.key("outcome").text(report.outcome == Outcome::complete   ? "complete"
                          : report.outcome == Outcome::tampered ? "tampered"
                                                                : "incomplete");
    w.key("exit").integer(static_cast<int>(report.outcome));
    w.key("files").begin_array();
    for (const auto& file : report.files) {
        w.begin_object();
        w.key("file").text_lossy(file.file);
        w.key("log").text_lossy(file.log_id);
        w.key("passed").boolean(file.passed);
        w.key("records").integer(static_cast<std::int64_t>(file.records));
        w.key("checkpoints").integer(static_cast<std::int64_t>(file.checkpoints));
        w.key("sessions").integer(static_cast<std::int64_t>(file.sessions));
        w.key("signed_through").integer(static_cast<std::int64_t>(file.sealed_size));
        w.end_object();
    }
    w.end_array();
    w.key("tampering");
    if (report.tampering) {
        write_finding(w, *report.tampering);
    } else {
        w.null();
    }
    w.key("gaps").begin_array();
    for (const auto& f : report.gaps) {
        write_finding(w, f);
    }
    w.end_array();
    w.key("records").integer(static_cast<std::int64_t>(report.records));
    w.key("checkpoints").integer(static_cast<std::int64_t>(report.checkpoints));
    w.key("sessions").integer(static_cast<std::int64_t>(report.sessions));
    w.end_object();
    const std::string line = w.take_line();
    std::fwrite(line.data(), 1, line.size(), stdout);
}

class VerifyCommand final : public Command {
public:
    CLI::App* define(CLI::App& app) override {
        auto* sub = app.add_subcommand(
            "verify", "Prove that audit logs were not edited, dropped, reordered or extended; "
                      "exit 0 verified and complete, 1 tampered, 2 completeness not proven");
        sub->add_option("--pubkey", m_pubkey,
                        "The signer's public key (audit.pub: a vkey line or PEM); never taken "
                        "from the log")
            ->required();
        sub->add_option("--state", m_state,
                        "Remember verified checkpoints here and report rollback, truncation, "
                        "forks and replaced files on later runs");
        sub->add_flag("--json", m_json, "One JSON object on stdout instead of text");
        sub->add_option("logs", m_logs,
                        "Log files, oldest first (a rotated series then "
                        "audit.jsonl, as *.jsonl expands)")
            ->required();
        return sub;
    }

    int run() override {
        auto key = evidence::read_pinned_key(m_pubkey);
        if (!key) {
            std::fprintf(stderr, "socat-audit verify: %s\n", key.error().describe().c_str());
            return key.error().errno_value() == ENOENT ? kExitNoInput : kExitData;
        }
        for (const auto& log : m_logs) {
            struct stat st {};
            const bool exists = ::stat(log.c_str(), &st) == 0;
            if (!exists || !S_ISREG(st.st_mode)) {
                std::fprintf(stderr, "socat-audit verify: %s: %s\n", log.c_str(),
                             exists ? "not a regular file" : std::strerror(errno));
                return kExitNoInput;
            }
        }
        std::optional<evidence::VerifyState> state;
        if (!m_state.empty()) {
            auto loaded = evidence::VerifyState::load(m_state);
            if (!loaded) {
                std::fprintf(stderr, "socat-audit verify: %s\n", loaded.error().describe().c_str());
                return kExitData;
            }
            state.emplace(std::move(*loaded));
        }
        const auto report = evidence::verify_logs(m_logs, *key, state ? &*state : nullptr);
        if (m_json) {
            print_json(report);
        } else {
            print_human(report);
        }
        if (state && report.outcome != Outcome::tampered) {
            if (auto saved = state->save(); !saved) {
                std::fprintf(stderr, "socat-audit verify: %s\n", saved.error().describe().c_str());
                return kExitIo;
            }
        }
        return static_cast<int>(report.outcome);
    }

private:
    std::string m_pubkey;
    std::string m_state;
    bool m_json = false;
    std::vector<std::string> m_logs;
};

} // namespace

std::unique_ptr<Command> make_verify_command() {
    return std::make_unique<VerifyCommand>();
}

} // namespace asocat::toolbox
