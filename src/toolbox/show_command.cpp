// socat-audit show [SESSION-ID] [--all] (--log-dir DIR | LOG...)
#include <algorithm>
#include <cerrno>
#include <cstdio>
#include <filesystem>

#include "toolbox/commands.hpp"
#include "toolbox/log_sessions.hpp"
#include "toolbox/session_report.hpp"

namespace asocat::toolbox {
namespace {

// DIR's rotated files oldest first (their names start with the UTC time), then audit.jsonl:
// the order in which verify wants them too.
util::Expected<std::vector<std::string>> log_dir_files(const std::string& dir) {
    std::error_code error;
    std::vector<std::string> rotated;
    for (std::filesystem::directory_iterator entry(dir, error), end; !error && entry != end;
         entry.increment(error)) {
        const std::string name = entry->path().filename().string();
        if (name.size() > 12 && name.compare(0, 6, "audit-") == 0 &&
            name.compare(name.size() - 6, 6, ".jsonl") == 0) {
            rotated.push_back(entry->path().string());
        }
    }
    if (error) {
        return util::Error::from_errno(dir, error.value());
    }
    std::sort(rotated.begin(), rotated.end());
    const std::string active = dir + "/audit.jsonl";
    if (std::filesystem::exists(active, error)) {
        rotated.push_back(active);
    }
    if (rotated.empty()) {
        return util::Error::from_errno(dir + " holds no audit.jsonl or rotated log", ENOENT);
    }
    return rotated;
}

int status_of(const util::Error& error) {
    switch (error.errno_value()) {
    case 0:
        return kExitData;
    case ENOENT:
    case ENOTDIR:
        return kExitNoInput;
    case EACCES:
    case EPERM:
        return kExitPermission;
    default:
        return kExitIo;
    }
}

// The session `wanted` names (the whole id or a unique prefix of it), or the last session
// started when `wanted` is empty.
const ShownSession* choose(const std::vector<ShownSession>& sessions, const std::string& wanted,
                           int& status) {
    if (wanted.empty()) {
        for (auto s = sessions.rbegin(); s != sessions.rend(); ++s) {
            if (s->start) {
                return &*s;
            }
        }
        if (!sessions.empty()) {
            return &sessions.back(); // only records of sessions whose start was rotated away
        }
        status = kExitNoInput;
        std::fprintf(stderr, "socat-audit show: no session in these logs\n");
        return nullptr;
    }
    const ShownSession* found = nullptr;
    std::size_t matches = 0;
    for (const auto& s : sessions) {
        if (s.id == wanted) {
            return &s;
        }
        if (s.id.compare(0, wanted.size(), wanted) == 0) {
            found = &s;
            ++matches;
        }
    }
    if (matches == 1) {
        return found;
    }
    if (matches == 0) {
        std::fprintf(stderr, "socat-audit show: no session %s in these logs\n",
                     printable(wanted).c_str());
        status = kExitNoInput;
    } else {
        std::fprintf(stderr, "socat-audit show: %s is the start of %zu session ids; give more\n",
                     printable(wanted).c_str(), matches);
        status = kExitUsage;
    }
    return nullptr;
}

// Session ids are UUIDs: hex digits and dashes. A first argument made of those alone, and not
// naming a file, is taken as (the start of) one; anything else is a log file.
bool looks_like_session_id(const std::string& arg) {
    std::error_code ignored;
    return arg.find_first_not_of("0123456789abcdefABCDEF-") == std::string::npos &&
           !std::filesystem::exists(arg, ignored);
}

bool print(const std::string& text) {
    return std::fwrite(text.data(), 1, text.size(), stdout) == text.size();
}

class ShowCommand final : public Command {
public:
    CLI::App* define(CLI::App& app) override {
        auto* sub = app.add_subcommand(
            "show", "Summarise a session from audit logs: who, when, socat's command, its "
                    "processes, connections and streams, and how it ended. Does not check the "
                    "hash chain or the signatures: run verify first");
        sub->add_flag("--all", m_all, "One line per session instead");
        sub->add_option("--log-dir", m_log_dir,
                        "Read DIR's rotated audit-*.jsonl files, oldest first, then "
                        "DIR/audit.jsonl");
        sub->add_option("args", m_args,
                        "[SESSION-ID] [LOG...]: a session id (asocat.session) or a unique "
                        "prefix of it, default the last session started; then the log files, "
                        "oldest first, unless --log-dir names them");
        return sub;
    }

    int run() override {
        std::string wanted;
        std::vector<std::string> files = m_args;
        if (!files.empty() && looks_like_session_id(files.front())) {
            wanted = files.front();
            files.erase(files.begin());
        }
        if (!m_log_dir.empty()) {
            if (!files.empty()) {
                std::fprintf(stderr, "socat-audit show: give --log-dir or log files, not both\n");
                return kExitUsage;
            }
            auto listed = log_dir_files(m_log_dir);
            if (!listed) {
                std::fprintf(stderr, "socat-audit show: %s\n", listed.error().describe().c_str());
                return status_of(listed.error());
            }
            files = std::move(*listed);
        }
        if (files.empty()) {
            std::fprintf(stderr, "socat-audit show: name the logs: --log-dir DIR or LOG...\n");
            return kExitUsage;
        }
        auto log = read_sessions(files);
        if (!log) {
            std::fprintf(stderr, "socat-audit show: %s\n", log.error().describe().c_str());
            return status_of(log.error());
        }
        for (const auto& note : log->notes) {
            std::fprintf(stderr, "socat-audit show: %s\n", printable(note).c_str());
        }
        if (m_all) {
            for (const auto& s : log->sessions) {
                if (!print(session_line(s) + "\n")) {
                    return kExitIo;
                }
            }
            return 0;
        }
        int status = 0;
        const ShownSession* chosen = choose(log->sessions, wanted, status);
        if (chosen == nullptr) {
            return status;
        }
        return print(describe_session(*chosen)) ? 0 : kExitIo;
    }

private:
    bool m_all = false;
    std::string m_log_dir;
    std::vector<std::string> m_args;
};

} // namespace

std::unique_ptr<Command> make_show_command() {
    return std::make_unique<ShowCommand>();
}

} // namespace asocat::toolbox
