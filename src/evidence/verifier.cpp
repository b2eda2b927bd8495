#include "evidence/verifier.hpp"

#include <fcntl.h>
#include <stdlib.h>

#include <climits>
#include <optional>
#include <set>

#include "evidence/checkpoint.hpp"
#include "evidence/log_records.hpp"
#include "evidence/merkle.hpp"
#include "evidence/payload_check.hpp"
#include "evidence/record_scanner.hpp"
#include "evidence/record_schema.hpp"
#include "evidence/record_view.hpp"
#include "record/json_reader.hpp"
#include "record/json_writer.hpp"
#include "util/scoped_fd.hpp"

namespace asocat::evidence {
namespace {

constexpr std::size_t kReadChunk = 1 << 20;
constexpr std::size_t kMaxLine = 16 << 20; // as the writer

// Raised inside one file's walk to stop at the first tampering.
struct Stop {
    Finding finding;
};

// What the previous file of a rotated series left for the next one to link to.
struct Ending {
    std::string file;
    std::string log_id;
    std::optional<std::uint64_t> sealed_size;
    util::Digest256 sealed_root{};
    std::string sealed_note;
    bool ends_with_checkpoint = false;
    util::Digest256 last_leaf{};
};

// Where a log file's payload files are: its own directory.
std::string directory_of(const std::string& file) {
    const auto slash = file.rfind('/');
    if (slash == std::string::npos) {
        return ".";
    }
    return slash == 0 ? "/" : file.substr(0, slash);
}

std::string canonical_path(const std::string& file) {
    char resolved[PATH_MAX];
    return ::realpath(file.c_str(), resolved) != nullptr ? std::string(resolved) : file;
}

class FileWalk {
public:
    FileWalk(std::string file, const PinnedKey& key, record::JsonDocument& document,
             std::set<std::string, std::less<>>& open_sessions, PayloadCheck& payload,
             const VerifyState* state, const std::optional<Ending>& previous, VerifyReport& report)
        : m_file(std::move(file)), m_directory(directory_of(m_file)), m_key(key),
          m_document(document), m_open_sessions(open_sessions), m_payload(payload), m_state(state),
          m_previous(previous), m_report(report) {}

    // Walks the whole file; returns how it ended (for the next file's rotation link).
    Ending run(FileSummary& summary) {
        util::ScopedFd fd(::open(m_file.c_str(), O_RDONLY | O_CLOEXEC | O_NOCTTY));
        if (!fd) {
            throw Stop{finding(Problem::unreadable, util::Error::from_errno("open").describe())};
        }
        // Room for the longest line allowed plus one read, once: growing by doubling would copy
        // a huge line several times and leave freed buffers behind.
        std::string buffer;
        buffer.reserve(kMaxLine + kReadChunk);
        std::string chunk(kReadChunk, '\0');
        bool pending_torn = false;
        std::string torn;
        std::uint64_t torn_offset = 0;
        std::uint64_t torn_line = 0;
        for (;;) {
            const ssize_t n = ::read(fd.get(), chunk.data(), chunk.size());
            if (n < 0) {
                if (errno == EINTR) {
                    continue;
                }
                throw Stop{
                    finding(Problem::unreadable, util::Error::from_errno("read").describe())};
            }
            if (n == 0) {
                break;
            }
            buffer.append(chunk.data(), static_cast<std::size_t>(n));
            std::size_t start = 0;
            for (auto lf = buffer.find('\n'); lf != std::string::npos;
                 lf = buffer.find('\n', start)) {
                const std::string_view line(buffer.data() + start, lf - start);
                ++m_line;
                if (pending_torn) {
                    accept_recovery(line, torn, torn_offset, torn_line);
                    pending_torn = false;
                } else if (scanned(line)) {
                    // Canonical and well laid out: linked without building a tree.
                } else if (parse(line)) {
                    check(line);
                } else {
                    // Possibly a torn line that the next record, a log.recovery, accounts for.
                    pending_torn = true;
                    torn.assign(line);
                    torn_offset = m_offset;
                    torn_line = m_line;
                }
                m_offset += line.size() + 1;
                start = lf + 1;
            }
            buffer.erase(0, start);
            if (buffer.size() > kMaxLine) {
                ++m_line;
                throw Stop{finding(Problem::line_too_long,
                                   "a line longer than " + std::to_string(kMaxLine) + " bytes")};
            }
        }
        if (pending_torn) {
            // The unparsable line was the last complete one: nothing accounts for it.
            m_line = torn_line;
            m_offset = torn_offset;
            throw Stop{m_parse_failure};
        }
        if (!buffer.empty()) {
            ++m_line;
            m_report.gaps.push_back(
                finding(Problem::torn_line, std::to_string(buffer.size()) +
                                                " bytes without a final newline (a writer died "
                                                "mid-record, or the file was cut)"));
        }
        if (m_line == 0 && buffer.empty()) {
            m_report.gaps.push_back(finding(Problem::empty, "the file is empty"));
        } else if (m_next_seq > 0 && !m_ends_with_checkpoint) {
            const std::uint64_t unsealed = m_next_seq - m_sealed_records;
            m_report.gaps.push_back(Finding{Problem::unsealed_tail, m_file, 0, std::nullopt, 0,
                                            std::to_string(unsealed) +
                                                " record(s) after the last checkpoint are not "
                                                "covered by a signature"});
        }
        check_state_at_end();
        summary.log_id = m_log_id;
        summary.records = m_next_seq;
        summary.checkpoints = m_checkpoints;
        summary.sessions = m_sessions;
        summary.sealed_size = m_sealed_size.value_or(0);
        summary.sealed_root = m_sealed_root;
        return Ending{m_file,
                      m_log_id,
                      m_sealed_size,
                      m_sealed_root,
                      m_sealed_note,
                      m_ends_with_checkpoint,
                      m_tree.size() > 0 ? m_prev : util::Digest256{}};
    }

private:
    Finding finding(Problem problem, std::string detail) const {
        return Finding{problem, m_file, m_line, m_current_seq, m_offset, std::move(detail)};
    }
    [[noreturn]] void stop(Problem problem, std::string detail) const {
        throw Stop{finding(problem, std::move(detail))};
    }

    // The fast path: an ordinary record that scan_canonical_record accepts needs no parse.
    // Log headers (they start a file) and checkpoints (their fields are checked in depth) take
    // the full path, as does every line the scanner declines, so problems are named by it.
    bool scanned(std::string_view line) {
        if (m_next_seq == 0 || line.size() > kMaxLine) {
            return false;
        }
        const auto fields = scan_canonical_record(line);
        if (!fields || fields->type == "checkpoint" || fields->type == "log.header") {
            return false;
        }
        link(line, *fields, nullptr);
        if (reads_payload(*fields)) {
            // Canonical, so the strict parse accepts it; only these few types need their fields.
            if (auto parsed = m_document.parse(line); !parsed) {
                stop(Problem::not_json, parsed.error().describe());
            }
            const auto view = view_record(m_document.root());
            if (!view) {
                stop(Problem::bad_layout, view.error().describe());
            }
            check_payload(m_document.root(), *view);
        }
        return true;
    }

    // stream.payload and stream.truncated always, stream.end only where payload may be open.
    bool reads_payload(const ChainFields& fields) const {
        return PayloadCheck::reads(fields.type) &&
               (fields.type != "stream.end" || m_payload.follows(fields.session));
    }

    // Only for a record that passed every other check (it is linked already).
    void check_payload(const record::JsonValue& root, const RecordView& view) {
        auto verdict =
            m_payload.feed(root, view, RecordPlace{m_file, m_directory, m_line, m_offset});
        if (verdict.tampering) {
            throw Stop{std::move(*verdict.tampering)};
        }
        for (auto& gap : verdict.gaps) {
            m_report.gaps.push_back(std::move(gap));
        }
    }

    // Parses into m_document; on failure remembers why (a torn line may still be recovered).
    bool parse(std::string_view line) {
        m_current_seq.reset();
        if (line.size() > kMaxLine) {
            stop(Problem::line_too_long, std::to_string(line.size()) + " bytes");
        }
        auto parsed = m_document.parse(line);
        if (!parsed) {
            m_parse_failure = finding(Problem::not_json, parsed.error().describe());
            return false;
        }
        return true;
    }

    void accept_recovery(std::string_view line, const std::string& torn, std::uint64_t offset,
                         std::uint64_t torn_line) {
        if (!parse(line)) {
            m_line = torn_line;
            m_offset = offset;
            throw Stop{Finding{Problem::not_json, m_file, torn_line, std::nullopt, offset,
                               m_parse_failure.detail}};
        }
        const auto& root = m_document.root();
        const auto view = view_record(root);
        const auto* t = view && view->type == "log.recovery" ? view->asocat->find("torn") : nullptr;
        const auto number = [&](const char* name) -> std::optional<std::uint64_t> {
            const auto* v = t != nullptr ? t->find(name) : nullptr;
            return v != nullptr && v->kind() == record::JsonKind::integer
                       ? std::optional(static_cast<std::uint64_t>(v->as_integer()))
                       : std::nullopt;
        };
        const auto* hash = t != nullptr ? t->find("sha256") : nullptr;
        const bool names_it = number("offset") == offset && number("length") == torn.size() &&
                              hash != nullptr && hash->kind() == record::JsonKind::string &&
                              hash->as_string() == util::to_hex(util::sha256(torn));
        if (!names_it) {
            throw Stop{Finding{Problem::not_json, m_file, torn_line, std::nullopt, offset,
                               m_parse_failure.detail}};
        }
        m_report.gaps.push_back(
            Finding{Problem::recovered_torn_line, m_file, torn_line, std::nullopt, offset,
                    std::to_string(torn.size()) + " bytes of a record a writer did not finish; the "
                                                  "next record names them exactly"});
        check(line);
    }

    void check(std::string_view line) {
        const auto& root = m_document.root();
        if (record::serialize_canonical(root, m_scratch) != line) {
            stop(Problem::not_canonical,
                 "the bytes differ from the canonical form of the same JSON (whitespace, key "
                 "order of a re-serialised record, escaping or number form)");
        }
        auto view = view_record(root);
        if (!view) {
            stop(Problem::bad_layout, view.error().describe());
        }
        m_current_seq = view->seq;
        if (auto why = check_record_shape(root, view->type); !why.empty()) {
            stop(Problem::bad_layout, why);
        }
        if (m_next_seq == 0) {
            start_log(*view);
        }
        ChainFields fields{view->log, view->seq, view->prev, view->type, {}};
        if (const auto* session = view->asocat->find("session"); session != nullptr) {
            fields.session = session->as_string(); // the layout made it a string
        }
        link(line, fields, &*view);
        if (reads_payload(fields)) {
            check_payload(root, *view);
        }
    }

    // Checks a well-formed record's place in the chain and makes it the newest leaf. `view` is
    // the parsed record, required for checkpoints.
    void link(std::string_view line, const ChainFields& fields, const RecordView* view) {
        m_current_seq = fields.seq;
        if (fields.log != m_log_id) {
            stop(Problem::wrong_log, "record of log " + std::string(fields.log) + " in log " +
                                         m_log_id + " (spliced from another log?)");
        }
        if (fields.seq != m_next_seq) {
            stop(Problem::sequence,
                 "seq " + std::to_string(fields.seq) + " where " + std::to_string(m_next_seq) +
                     " was due: a record is missing, inserted, duplicated or moved");
        }
        if (fields.prev != m_prev) {
            stop(Problem::chain, "prev is not the hash of the record before it: that record was "
                                 "changed, removed or moved");
        }
        const bool checkpoint = fields.type == "checkpoint";
        if (checkpoint) {
            check_checkpoint(*view);
        } else if (fields.type == "session.start") {
            m_open_sessions.emplace(fields.session);
            ++m_sessions;
        } else if (fields.type == "session.end") {
            if (const auto open = m_open_sessions.find(fields.session);
                open != m_open_sessions.end()) {
                m_open_sessions.erase(open);
            }
        }
        const auto leaf = leaf_hash(line);
        m_tree.append(leaf);
        m_prev = leaf;
        ++m_next_seq;
        m_ends_with_checkpoint = checkpoint;
        check_state_at(m_tree.size());
    }

    void start_log(const RecordView& view) {
        if (view.type != "log.header" || view.seq != 0) {
            stop(Problem::not_a_log, "the first record is not a log header with seq 0");
        }
        const auto header = view_header(view);
        if (!header) {
            stop(Problem::bad_layout, header.error().describe());
        }
        m_log_id = std::string(view.log);
        m_origin = std::string(header->origin);
        m_prev = view.prev;
        check_rotation_link(view, *header);
        if (!m_previous && header->previous != nullptr) {
            m_payload.begins_mid_series(); // streams may have begun in the file before
        }
        if (m_state != nullptr) {
            m_remembered = m_state->log(m_log_id);
        }
    }

    void check_rotation_link(const RecordView& view, const HeaderView& header) {
        const auto* previous = header.previous;
        if (!m_previous) {
            if (previous == nullptr && view.prev != util::Digest256{}) {
                stop(Problem::chain, "a log that continues nothing must start from zeros");
            }
            return; // the first file given: what came before it is not being verified
        }
        const Ending& before = *m_previous;
        const auto text = [&](const char* name) -> std::optional<std::string_view> {
            const auto* v = previous != nullptr ? previous->find(name) : nullptr;
            return v != nullptr && v->kind() == record::JsonKind::string
                       ? std::optional(v->as_string())
                       : std::nullopt;
        };
        if (previous == nullptr) {
            stop(Problem::rotation, "starts a new chain instead of continuing " + before.file);
        }
        if (const auto anomaly = text("anomaly")) {
            stop(Problem::rotation,
                 "its writer could not continue the previous log: " + std::string(*anomaly));
        }
        const auto* size = previous->find("size");
        const bool linked = text("log") == before.log_id && before.sealed_size && size != nullptr &&
                            size->kind() == record::JsonKind::integer &&
                            static_cast<std::uint64_t>(size->as_integer()) == *before.sealed_size &&
                            text("root") == to_base64(before.sealed_root) &&
                            text("checkpoint") == before.sealed_note &&
                            before.ends_with_checkpoint && view.prev == before.last_leaf;
        if (!linked) {
            stop(Problem::rotation, "does not continue " + before.file +
                                        " (its header names another log, final checkpoint or "
                                        "last record)");
        }
    }

    void check_checkpoint(const RecordView& view) {
        const auto checkpoint = view_checkpoint(view);
        if (!checkpoint) {
            stop(Problem::bad_layout, checkpoint.error().describe());
        }
        if (checkpoint->size != m_tree.size()) {
            stop(Problem::checkpoint, "claims tree size " + std::to_string(checkpoint->size) +
                                          " where " + std::to_string(m_tree.size()) +
                                          " records precede it");
        }
        const auto root = m_tree.root();
        if (checkpoint->root != root) {
            stop(Problem::checkpoint, "root does not match the records before it");
        }
        if (checkpoint->frontier != m_tree.frontier()) {
            stop(Problem::checkpoint, "frontier does not match the records before it");
        }
        const auto opened = open_note(checkpoint->note, m_key);
        switch (opened.verdict) {
        case NoteVerdict::verified:
            break;
        case NoteVerdict::not_signed:
            stop(Problem::unknown_signer,
                 "not signed by the pinned key (a different or substituted key signed it)");
        case NoteVerdict::bad_signature:
            stop(Problem::signature, opened.detail);
        case NoteVerdict::malformed:
            stop(Problem::checkpoint, "note: " + opened.detail);
        }
        const Checkpoint expected{m_origin, m_tree.size(), root, {}};
        if (opened.text != expected.body()) {
            stop(Problem::checkpoint,
                 "the signed note does not state this log's origin, size and root");
        }
        ++m_checkpoints;
        m_sealed_size = m_tree.size();
        m_sealed_root = root;
        m_sealed_note = std::string(checkpoint->note);
        m_sealed_records = m_next_seq + 1;
    }

    // The state remembers a verified checkpoint of this log: the same size must have the same
    // root here (else a fork), and the log must reach that size (else a rollback).
    void check_state_at(std::uint64_t size) {
        if (m_remembered != nullptr && size == m_remembered->size &&
            m_tree.root() != m_remembered->root) {
            stop(Problem::fork, "at tree size " + std::to_string(size) +
                                    " the root differs from the one verified before: the log "
                                    "was rewritten");
        }
    }

    void check_state_at_end() const {
        if (m_remembered != nullptr && m_tree.size() < m_remembered->size) {
            throw Stop{Finding{Problem::rollback, m_file, 0, std::nullopt, 0,
                               "holds " + std::to_string(m_tree.size()) +
                                   " records, but a checkpoint of size " +
                                   std::to_string(m_remembered->size) +
                                   " was verified before: records were removed"}};
        }
    }

    std::string m_file;
    std::string m_directory;
    const PinnedKey& m_key;
    record::JsonDocument& m_document;
    record::JsonWriter m_scratch; // reused for every canonical re-serialisation
    std::set<std::string, std::less<>>& m_open_sessions;
    PayloadCheck& m_payload;
    const VerifyState* m_state;
    const std::optional<Ending>& m_previous;
    VerifyReport& m_report;

    std::uint64_t m_line = 0;
    std::uint64_t m_offset = 0;
    std::optional<std::uint64_t> m_current_seq;
    Finding m_parse_failure{Problem::not_json, {}, 0, std::nullopt, 0, {}};
    std::string m_log_id;
    std::string m_origin;
    std::uint64_t m_next_seq = 0;
    util::Digest256 m_prev{};
    CompactRange m_tree;
    std::uint64_t m_checkpoints = 0;
    std::uint64_t m_sessions = 0;
    std::uint64_t m_sealed_records = 0;
    std::optional<std::uint64_t> m_sealed_size;
    util::Digest256 m_sealed_root{};
    std::string m_sealed_note;
    bool m_ends_with_checkpoint = false;
    const RememberedLog* m_remembered = nullptr;
};

} // namespace

const char* problem_name(Problem problem) {
    switch (problem) {
    case Problem::unreadable:
        return "unreadable";
    case Problem::line_too_long:
        return "line-too-long";
    case Problem::not_json:
        return "not-json";
    case Problem::not_canonical:
        return "not-canonical";
    case Problem::bad_layout:
        return "bad-layout";
    case Problem::not_a_log:
        return "not-a-log";
    case Problem::wrong_log:
        return "wrong-log";
    case Problem::sequence:
        return "sequence";
    case Problem::chain:
        return "chain";
    case Problem::checkpoint:
        return "checkpoint";
    case Problem::signature:
        return "signature";
    case Problem::unknown_signer:
        return "unknown-signer";
    case Problem::rotation:
        return "rotation";
    case Problem::rollback:
        return "rollback";
    case Problem::fork:
        return "fork";
    case Problem::replaced:
        return "replaced";
    case Problem::payload:
        return "payload";
    case Problem::payload_missing:
        return "payload-missing";
    case Problem::empty:
        return "empty";
    case Problem::torn_line:
        return "torn-line";
    case Problem::recovered_torn_line:
        return "recovered-torn-line";
    case Problem::unsealed_tail:
        return "unsealed-tail";
    case Problem::open_session:
        return "open-session";
    case Problem::payload_unsealed:
        return "payload-unsealed";
    case Problem::payload_incomplete:
        return "payload-incomplete";
    }
    return "unknown";
}

bool is_tampering(Problem problem) {
    return static_cast<int>(problem) < static_cast<int>(Problem::empty);
}

VerifyReport verify_logs(const std::vector<std::string>& files, const PinnedKey& key,
                         VerifyState* state) {
    VerifyReport report;
    record::JsonDocument document;
    std::set<std::string, std::less<>> open_sessions;
    PayloadCheck payload; // streams may span rotated files
    std::optional<Ending> previous;
    std::set<std::string> verified_logs;
    std::vector<std::pair<std::string, std::string>> paths; // canonical path, log id
    for (const auto& file : files) {
        FileSummary summary;
        summary.file = file;
        try {
            FileWalk walk(file, key, document, open_sessions, payload, state, previous, report);
            Ending ending = walk.run(summary);
            summary.passed = true;
            previous = std::move(ending);
        } catch (const Stop& stop) {
            report.tampering = stop.finding;
            report.files.push_back(summary);
            report.outcome = Outcome::tampered;
            return report;
        }
        verified_logs.insert(summary.log_id);
        paths.emplace_back(canonical_path(file), summary.log_id);
        report.records += summary.records;
        report.checkpoints += summary.checkpoints;
        report.sessions += summary.sessions;
        report.files.push_back(summary);
    }
    // A remembered path that now holds an unrelated log was replaced wholesale.
    if (state != nullptr) {
        for (const auto& [path, log_id] : paths) {
            const std::string* before = state->log_at(path);
            if (before != nullptr && *before != log_id && verified_logs.count(*before) == 0) {
                report.tampering = Finding{Problem::replaced,
                                           path,
                                           0,
                                           std::nullopt,
                                           0,
                                           "held log " + *before +
                                               " when last verified; now "
                                               "log " +
                                               log_id + ", which does not continue it"};
                report.outcome = Outcome::tampered;
                return report;
            }
        }
    }
    for (const auto& session : open_sessions) {
        report.gaps.push_back(Finding{Problem::open_session, files.empty() ? "" : files.back(), 0,
                                      std::nullopt, 0,
                                      "session " + session + " has a start but no end"});
    }
    for (auto& gap : payload.unsealed()) {
        report.gaps.push_back(std::move(gap));
    }
    report.outcome = report.gaps.empty() ? Outcome::complete : Outcome::incomplete;
    if (state != nullptr) {
        for (const auto& summary : report.files) {
            if (summary.sealed_size > 0) {
                state->remember(summary.log_id, {summary.sealed_size, summary.sealed_root});
            }
        }
        for (const auto& [path, log_id] : paths) {
            state->remember_file(path, log_id);
        }
    }
    return report;
}

} // namespace asocat::evidence
