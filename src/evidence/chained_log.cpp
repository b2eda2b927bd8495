#include "evidence/chained_log.hpp"

#include <algorithm>

#include "evidence/checkpoint.hpp"
#include "evidence/record_view.hpp"
#include "evidence/signed_note.hpp"
#include "util/random_id.hpp"

namespace asocat::evidence {
namespace {

constexpr std::size_t kReadChunk = 1 << 20;
constexpr std::size_t kFirstReadChunk = 4096;
constexpr std::size_t kMaxLine = 16 << 20; // as the verifier
constexpr std::string_view kCheckpointMarker = "\"type\":\"checkpoint\"";

std::int64_t to_ms(const util::WallTime& t) {
    return t.seconds * 1000 + t.nanoseconds / 1'000'000;
}
std::int64_t now_ms() {
    return to_ms(util::wall_now());
}

std::string hex_key_id(const SigningIdentity& signer) {
    const KeyId id = key_id(signer.name, signer.public_key);
    return util::to_hex(id.data(), id.size());
}

} // namespace

util::Expected<ChainedLog> ChainedLog::open(record::LogDirectory directory, SigningIdentity signer,
                                            EvidenceSettings settings, std::string host) {
    ChainedLog log(std::move(directory), std::move(signer), settings, std::move(host));
    auto lock = log.m_directory.lock();
    if (!lock) {
        return lock.error();
    }
    if (auto ready = log.catch_up(); !ready) {
        return ready.error();
    }
    return log;
}

void ChainedLog::attach_key(Ed25519Key key) {
    m_key = std::move(key);
}

bool ChainedLog::unsealed() const {
    return m_tail &&
           (!m_tail->last_checkpoint_seq || m_tail->next_seq > *m_tail->last_checkpoint_seq + 1);
}

void ChainedLog::stage(const record::RecordDraft& draft) {
    Tail& t = *m_tail;
    const auto leaf = leaf_hash(draft.render_into(m_lines, {t.log_id, t.next_seq, t.prev}));
    t.tree.append(leaf);
    t.prev = leaf;
    if (!unsealed()) {
        t.first_unsealed_ms = to_ms(draft.time());
    }
    ++t.next_seq;
}

std::string ChainedLog::render_next(const record::RecordDraft& draft) {
    m_lines.clear();
    stage(draft);
    return std::string(m_lines.lines());
}

util::Expected<void> ChainedLog::stage_checkpoint(const char* reason) {
    Tail& t = *m_tail;
    Checkpoint checkpoint{t.origin, t.tree.size(), t.tree.root(), {}};
    auto note = sign_note(checkpoint.body(), m_signer.name, *m_key);
    if (!note) {
        return note.error().with_context("signing a checkpoint");
    }
    const auto draft = checkpoint_record(
        util::wall_now(),
        CheckpointFacts{reason, checkpoint.size, checkpoint.root, t.tree.frontier(), *note});
    t.last_checkpoint_seq = t.next_seq;
    t.last_checkpoint_ms = to_ms(draft.time());
    t.last_checkpoint_note = std::move(*note);
    t.last_checkpoint_root = checkpoint.root;
    stage(draft);
    return {};
}

util::Expected<void> ChainedLog::write_staged(const Tail& before) {
    if (auto written = record::LogDirectory::append(m_file, m_lines.lines()); !written) {
        *m_tail = before;
        return written.error();
    }
    m_tail->covered = m_file.size;
    return {};
}

util::Expected<Appended> ChainedLog::append(const std::vector<record::RecordDraft>& drafts,
                                            Seal seal, const char* reason, record::LockWait wait) {
    auto lock = m_directory.lock(wait);
    if (!lock) {
        return lock.error();
    }
    if (!*lock) {
        return Appended::deferred;
    }
    if (auto ready = catch_up(); !ready) {
        return ready.error();
    }
    if (m_key && m_file.size >= m_settings.rotate_bytes) {
        if (auto rotated = rotate(); !rotated) {
            return rotated.error();
        }
    }
    const Tail before = *m_tail;
    m_lines.clear();
    for (const auto& draft : drafts) {
        stage(draft);
    }
    const bool count_due = m_tail->next_seq - (before.last_checkpoint_seq.value_or(0)) >=
                           m_settings.checkpoint_records;
    if (seal == Seal::checkpoint && !m_key) {
        *m_tail = before;
        return util::Error("cannot seal the log: the signing key is not loaded");
    }
    if (m_key && (seal == Seal::checkpoint || count_due)) {
        if (auto staged = stage_checkpoint(seal == Seal::checkpoint ? reason : "count"); !staged) {
            *m_tail = before;
            return staged.error();
        }
    }
    if (auto written = write_staged(before); !written) {
        return written.error();
    }
    return Appended::written;
}

util::Expected<void> ChainedLog::write_checkpoint(const char* reason) {
    const Tail before = *m_tail;
    m_lines.clear();
    if (auto staged = stage_checkpoint(reason); !staged) {
        *m_tail = before;
        return staged.error();
    }
    return write_staged(before);
}

util::Expected<void> ChainedLog::sync() {
    if (!m_tail) {
        return {};
    }
    return record::LogDirectory::sync(m_file);
}

util::Expected<void> ChainedLog::tick() {
    if (!m_key) {
        return {};
    }
    auto lock = m_directory.lock(record::LockWait::unless_busy);
    if (!lock) {
        return lock.error();
    }
    if (!*lock) {
        return {};
    }
    if (auto ready = catch_up(); !ready) {
        return ready.error();
    }
    const std::int64_t now = now_ms();
    if (m_file.size >= m_settings.rotate_bytes) {
        return rotate();
    }
    if (unsealed() && now - m_tail->first_unsealed_ms >= m_settings.checkpoint_interval_ms) {
        return write_checkpoint("interval");
    }
    if (!unsealed() && now - m_tail->last_checkpoint_ms >= m_settings.heartbeat_interval_ms) {
        return write_checkpoint("heartbeat");
    }
    return {};
}

// --- keeping up with the file ---------------------------------------------------------------

util::Expected<void> ChainedLog::catch_up() {
    if (m_tail && m_directory.still_names(record::kActiveLogName, m_file)) {
        if (auto refreshed = record::LogDirectory::refresh(m_file); !refreshed) {
            return refreshed.error();
        }
        if (m_file.size < m_tail->covered) {
            return retire_damaged("the file shrank from " + std::to_string(m_tail->covered) +
                                  " to " + std::to_string(m_file.size) + " bytes");
        }
        return m_file.size > m_tail->covered ? replay(m_tail->covered) : util::Expected<void>();
    }
    m_tail.reset();
    auto file = m_directory.open_log(record::kActiveLogName, true);
    if (!file) {
        return file.error();
    }
    if (file->size == 0) {
        m_tail.emplace();
        m_file = std::move(*file);
        return start_new_file(std::nullopt);
    }
    return resume(std::move(*file));
}

util::Expected<std::optional<std::pair<std::uint64_t, std::string>>>
ChainedLog::find_last_line(std::uint64_t begin, std::uint64_t end, std::string_view marker) {
    // Reads backwards a chunk at a time. `partial` holds the start of the later region up to and
    // including its first LF: the end of a line that began in an earlier chunk.
    std::string partial;
    std::uint64_t region_start = end;
    // The marker is usually near the end: the first reads are small (every start reads this).
    std::uint64_t chunk_size = kFirstReadChunk;
    while (region_start > begin) {
        const std::uint64_t read_start =
            region_start - std::min<std::uint64_t>(chunk_size, region_start - begin);
        chunk_size = std::min<std::uint64_t>(chunk_size * 4, kReadChunk);
        auto chunk = record::LogDirectory::read(m_file, read_start, region_start - read_start);
        if (!chunk) {
            return chunk.error();
        }
        std::string bytes = *chunk + partial;
        std::size_t complete_from = 0;
        if (read_start > begin) {
            const auto first_lf = bytes.find('\n');
            if (first_lf == std::string::npos) {
                if (bytes.size() > kMaxLine) {
                    return util::Error("a line before byte " + std::to_string(region_start) +
                                       " is longer than " + std::to_string(kMaxLine) + " bytes");
                }
                partial = std::move(bytes);
                region_start = read_start;
                continue;
            }
            complete_from = first_lf + 1;
        }
        // Complete lines are those ending in an LF; bytes after the last LF are a torn tail.
        std::size_t line_end = bytes.rfind('\n');
        while (line_end != std::string::npos && line_end >= complete_from) {
            const auto previous_lf =
                line_end == 0 ? std::string::npos : bytes.rfind('\n', line_end - 1);
            const std::size_t line_start =
                previous_lf == std::string::npos || previous_lf < complete_from ? complete_from
                                                                                : previous_lf + 1;
            const std::string_view line(bytes.data() + line_start, line_end - line_start);
            if (line.find(marker) != std::string_view::npos) {
                return std::optional<std::pair<std::uint64_t, std::string>>(
                    std::pair{read_start + line_start, std::string(line)});
            }
            if (line_start == complete_from) {
                break;
            }
            line_end = previous_lf;
        }
        partial = bytes.substr(0, complete_from);
        region_start = read_start;
    }
    return std::optional<std::pair<std::uint64_t, std::string>>();
}

util::Expected<void> ChainedLog::resume(record::LogHandle file) {
    m_tail.emplace();
    m_file = std::move(file);
    Tail& t = *m_tail;
    // The header names the log and its origin. It is short: read a little, more only if the
    // first line goes on.
    util::Expected<std::string> head = std::string();
    std::size_t header_end = std::string::npos;
    for (std::uint64_t length = kFirstReadChunk; header_end == std::string::npos;
         length = std::min<std::uint64_t>(length * 4, kMaxLine)) {
        head = record::LogDirectory::read(m_file, 0, std::min<std::uint64_t>(m_file.size, length));
        if (!head) {
            return head.error();
        }
        header_end = head->find('\n');
        if (header_end == std::string::npos && (head->size() < length || length == kMaxLine)) {
            return retire_damaged("its first line is torn or too long");
        }
    }
    if (auto applied = apply_line(std::string_view(*head).substr(0, header_end), 0); !applied) {
        return retire_damaged(applied.error().describe());
    }
    t.covered = header_end + 1;
    // The last checkpoint says where the tree stood; only what follows it is replayed.
    auto found = find_last_line(t.covered, m_file.size, kCheckpointMarker);
    if (!found) {
        return retire_damaged(found.error().describe());
    }
    if (!*found) {
        return replay(t.covered); // no checkpoint yet: the whole (short) file
    }
    const auto& [offset, line] = **found;
    const std::string where = "its last checkpoint (at byte " + std::to_string(offset) + ")";
    auto parsed = m_document->parse(line);
    if (!parsed) {
        return retire_damaged(where + " does not parse");
    }
    auto view = view_record(parsed.root());
    auto checkpoint = view ? view_checkpoint(*view) : util::Expected<CheckpointView>(view.error());
    if (!checkpoint) {
        return retire_damaged(where + ": " + checkpoint.error().describe());
    }
    if (view->log != t.log_id || view->seq != checkpoint->size) {
        return retire_damaged(where + " belongs to another log or position");
    }
    auto tree = CompactRange::from_frontier(checkpoint->size, checkpoint->frontier);
    if (!tree || tree->root() != checkpoint->root) {
        return retire_damaged(where + " has a frontier that does not match its root");
    }
    t.tree = *tree;
    t.next_seq = checkpoint->size;
    t.prev = view->prev;
    t.covered = offset;
    // The checkpoint line itself is re-applied as the next leaf, then whatever follows it.
    return replay(offset);
}

util::Expected<void> ChainedLog::replay(std::uint64_t from) {
    Tail& t = *m_tail;
    std::uint64_t offset = from;
    std::string pending;
    while (offset < m_file.size) {
        const std::size_t length =
            static_cast<std::size_t>(std::min<std::uint64_t>(kReadChunk, m_file.size - offset));
        auto chunk = record::LogDirectory::read(m_file, offset, length);
        if (!chunk) {
            return chunk.error();
        }
        if (chunk->empty()) {
            break;
        }
        pending += *chunk;
        offset += chunk->size();
        std::size_t start = 0;
        for (auto lf = pending.find('\n'); lf != std::string::npos;
             lf = pending.find('\n', start)) {
            const std::uint64_t line_offset = t.covered;
            if (auto applied =
                    apply_line(std::string_view(pending).substr(start, lf - start), line_offset);
                !applied) {
                return retire_damaged(applied.error().describe());
            }
            t.covered += lf - start + 1;
            start = lf + 1;
        }
        pending.erase(0, start);
        if (pending.size() > kMaxLine) {
            return retire_damaged("a line at byte " + std::to_string(t.covered) +
                                  " is longer than " + std::to_string(kMaxLine) + " bytes");
        }
    }
    if (pending.empty()) {
        return {};
    }
    const Tail before = t;
    if (m_document->parse(pending)) {
        // A whole record without its newline (the writer died just before it): complete it.
        if (auto applied = apply_line(pending, t.covered); !applied) {
            return retire_damaged(applied.error().describe());
        }
        if (auto written = record::LogDirectory::append(m_file, "\n"); !written) {
            t = before;
            return written.error();
        }
        t.covered = m_file.size;
        return {};
    }
    // A torn line: a writer died mid-record. End it, and say exactly what it was.
    TornLine torn{t.covered, pending.size(), util::sha256(pending)};
    std::string bytes = "\n" + render_next(recovery_record(util::wall_now(), torn));
    if (auto written = record::LogDirectory::append(m_file, bytes); !written) {
        t = before;
        return written.error();
    }
    t.covered = m_file.size;
    return {};
}

util::Expected<void> ChainedLog::apply_line(std::string_view line, std::uint64_t offset) {
    Tail& t = *m_tail;
    const std::string where = "the record at byte " + std::to_string(offset);
    auto parsed = m_document->parse(line);
    if (!parsed) {
        return util::Error(where + " does not parse: " + parsed.error().describe());
    }
    auto view = view_record(parsed.root());
    if (!view) {
        return view.error().with_context(where);
    }
    if (offset == 0) {
        auto header =
            view->type == "log.header"
                ? view_header(*view)
                : util::Expected<HeaderView>(util::Error("the first record is not a log header"));
        if (!header || view->seq != 0) {
            return header ? util::Error("the log header has seq " + std::to_string(view->seq))
                          : header.error();
        }
        t.log_id = std::string(view->log);
        t.origin = std::string(header->origin);
        t.prev = view->prev; // the previous file's last leaf, or zeros
        t.next_seq = 0;
    }
    if (view->log != t.log_id || view->seq != t.next_seq || view->prev != t.prev) {
        return util::Error(where + " does not continue the chain (log, seq " +
                           std::to_string(view->seq) + " where " + std::to_string(t.next_seq) +
                           " was due, or prev)");
    }
    const auto leaf = leaf_hash(line);
    if (view->type == "checkpoint") {
        auto checkpoint = view_checkpoint(*view);
        if (!checkpoint) {
            return checkpoint.error().with_context(where);
        }
        t.last_checkpoint_seq = t.next_seq;
        t.last_checkpoint_note = std::string(checkpoint->note);
        t.last_checkpoint_root = checkpoint->root;
        if (const auto time = util::parse_rfc3339(view->timestamp)) {
            t.last_checkpoint_ms = to_ms(*time);
        }
    } else if (!unsealed()) {
        if (const auto time = util::parse_rfc3339(view->timestamp)) {
            t.first_unsealed_ms = to_ms(*time);
        }
    }
    t.tree.append(leaf);
    t.prev = leaf;
    ++t.next_seq;
    return {};
}

// --- new files, rotation, damage ------------------------------------------------------------

util::Expected<void> ChainedLog::start_new_file(std::optional<PreviousLog> previous) {
    Tail& t = *m_tail;
    auto id = util::random_uuid();
    if (!id) {
        return id.error();
    }
    t.log_id = *id;
    t.origin = m_host + "/audited-socat/" + t.log_id;
    t.next_seq = 0;
    t.tree = CompactRange();
    t.last_checkpoint_seq.reset();
    t.last_checkpoint_ms = 0;
    if (!previous || !previous->root) {
        t.prev = util::Digest256{};
    }
    const std::string line = render_next(
        log_header_record(util::wall_now(), m_host, t.origin,
                          SignerInfo{m_signer.name, hex_key_id(m_signer)}, std::move(previous)));
    if (auto written = record::LogDirectory::append(m_file, line); !written) {
        m_tail.reset();
        return written.error();
    }
    t.covered = m_file.size;
    return {};
}

std::string ChainedLog::archive_name() const {
    const auto now = util::wall_now();
    std::string stamp = util::rfc3339(now);
    stamp.erase(std::remove(stamp.begin(), stamp.end(), ':'), stamp.end());
    stamp.erase(std::remove(stamp.begin(), stamp.end(), '-'), stamp.end());
    // 20261204T221058.123456789Z: nanoseconds, so names sort in rotation order even when
    // several rotations fall in one second (verify takes files oldest first, as *.jsonl
    // expands).
    const std::string id =
        m_tail && !m_tail->log_id.empty() ? m_tail->log_id.substr(0, 8) : "damaged";
    return "audit-" + stamp + "-" + id + ".jsonl";
}

util::Expected<void> ChainedLog::rotate() {
    if (unsealed() || !m_tail->last_checkpoint_seq) {
        if (auto sealed = write_checkpoint("rotation"); !sealed) {
            return sealed.error();
        }
    }
    if (auto synced = record::LogDirectory::sync(m_file); !synced) {
        return synced.error();
    }
    // The final checkpoint is the last line: its note and leaf link the next file to this one.
    const Tail old = *m_tail;
    const std::string name = archive_name();
    if (auto renamed = m_directory.rename_exclusive(record::kActiveLogName, name); !renamed) {
        return renamed.error();
    }
    PreviousLog previous{name,
                         old.log_id,
                         old.last_checkpoint_seq,
                         old.last_checkpoint_root,
                         old.last_checkpoint_note,
                         std::nullopt};
    auto file = m_directory.open_log(record::kActiveLogName, true);
    if (!file) {
        return file.error();
    }
    m_tail.emplace();
    m_file = std::move(*file);
    m_tail->prev = old.prev; // the final checkpoint's leaf
    return start_new_file(std::move(previous));
}

util::Expected<void> ChainedLog::retire_damaged(const std::string& why) {
    const std::string name = archive_name();
    m_notices.push_back(active_path() + " cannot be continued (" + why + "); it is kept as " +
                        m_directory.path_of(name) + " and a new log starts");
    if (auto renamed = m_directory.rename_exclusive(record::kActiveLogName, name); !renamed) {
        return renamed.error();
    }
    auto file = m_directory.open_log(record::kActiveLogName, true);
    if (!file) {
        return file.error();
    }
    m_tail.emplace();
    m_file = std::move(*file);
    return start_new_file(PreviousLog{name, std::nullopt, std::nullopt, std::nullopt, std::nullopt,
                                      "cannot be continued: " + why});
}

} // namespace asocat::evidence
