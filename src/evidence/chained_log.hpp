// The evidence writer. Every record is stamped with its log id, sequence number and the RFC 6962
// leaf hash of the record before it, then becomes the next leaf of the log's Merkle tree;
// signed checkpoints (C2SP tlog-checkpoint notes) commit to tree size and root. Many wrapper
// processes append to one log: each takes the directory lock, catches up with what others
// appended since it last looked (hashing only the new bytes), and appends. A process that has
// never seen the file resumes from its last checkpoint's frontier and replays what follows.
//
// The writer trusts its own log directory (it is private to the writing user, see SECURITY.md):
// it checks that what it resumes from is consistent, but the signatures are for verifiers.
// What it cannot continue (a broken chain, a truncated file) it rotates out and names in the
// next file's header as an anomaly, so nothing is silently glued onto damage.
#pragma once

#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <utility>
#include <vector>

#include "evidence/ed25519.hpp"
#include "evidence/key_files.hpp"
#include "evidence/log_records.hpp"
#include "evidence/merkle.hpp"
#include "record/json_reader.hpp"
#include "record/log_directory.hpp"
#include "record/record_draft.hpp"
#include "util/error.hpp"

namespace asocat::evidence {

struct EvidenceSettings {
    std::uint64_t checkpoint_records = 1000;     // a checkpoint after this many records
    std::int64_t checkpoint_interval_ms = 1000;  // and when records are older than this
    std::int64_t heartbeat_interval_ms = 60'000; // and this long after the last, even if idle
    std::uint64_t rotate_bytes = 64ull << 20;    // the active file is rotated past this size
};

enum class Seal { none, checkpoint };

// What an append did: with LockWait::unless_busy it is `deferred` when another writer held the
// directory lock; then nothing was written and the caller keeps its records for a later try.
enum class Appended { written, deferred };

// What a ChainedLog knows about the chain in the active file (copyable: an append that fails
// restores the copy taken before it). At namespace scope, not nested: clang cannot default-
// construct a nested class with member initialisers inside std::optional of its enclosing class.
struct ChainTail {
    std::string log_id;
    std::string origin;
    std::uint64_t covered = 0; // bytes of the file accounted for
    std::uint64_t next_seq = 0;
    util::Digest256 prev{};
    CompactRange tree;
    std::optional<std::uint64_t> last_checkpoint_seq;
    std::string last_checkpoint_note; // links the next file to this one on rotation
    util::Digest256 last_checkpoint_root{};
    std::int64_t last_checkpoint_ms = 0; // wall clock, 0 if none yet
    std::int64_t first_unsealed_ms = 0;  // wall clock of the oldest unsealed record
};

class ChainedLog {
public:
    static util::Expected<ChainedLog> open(record::LogDirectory directory, SigningIdentity signer,
                                           EvidenceSettings settings, std::string host);

    // The private key, once loaded; until then no checkpoint can be written (and none is
    // needed before socat runs).
    void attach_key(Ed25519Key key);
    bool has_key() const { return m_key.has_value(); }

    // Appends `drafts` in order, all or none. With Seal::checkpoint a signed checkpoint follows
    // them (the key must be attached). `reason` names why, in the checkpoint.
    util::Expected<Appended> append(const std::vector<record::RecordDraft>& drafts, Seal seal,
                                    const char* reason = "session-end",
                                    record::LockWait wait = record::LockWait::block);
    // Makes everything appended durable.
    util::Expected<void> sync();
    // Time-driven duties: a checkpoint when records have waited checkpoint_interval_ms, a
    // heartbeat checkpoint when the log has been idle for heartbeat_interval_ms, rotation.
    // They are not urgent: when another writer holds the lock they wait for the next tick.
    util::Expected<void> tick();

    std::string active_path() const { return m_directory.path_of(record::kActiveLogName); }
    const record::LogDirectory& directory() const { return m_directory; }

    // Things worth telling the user once (a damaged log was set aside), oldest first.
    std::vector<std::string> take_notices() { return std::exchange(m_notices, {}); }

private:
    using Tail = ChainTail;

    ChainedLog(record::LogDirectory directory, SigningIdentity signer, EvidenceSettings settings,
               std::string host)
        : m_directory(std::move(directory)), m_signer(std::move(signer)), m_settings(settings),
          m_host(std::move(host)), m_document(std::make_unique<record::JsonDocument>()) {}

    util::Expected<void> catch_up();
    util::Expected<void> resume(record::LogHandle file);
    // The last complete line in [begin, end) of the active file that contains `marker`.
    util::Expected<std::optional<std::pair<std::uint64_t, std::string>>>
    find_last_line(std::uint64_t begin, std::uint64_t end, std::string_view marker);
    util::Expected<void> replay(std::uint64_t from);
    util::Expected<void> apply_line(std::string_view line, std::uint64_t offset);
    util::Expected<void> start_new_file(std::optional<PreviousLog> previous);
    util::Expected<void> retire_damaged(const std::string& why);
    util::Expected<void> rotate();
    util::Expected<void> write_checkpoint(const char* reason);

    // Renders `draft` as the next record onto m_lines and makes it the newest leaf.
    void stage(const record::RecordDraft& draft);
    // The same for a lone record, returned as its line.
    std::string render_next(const record::RecordDraft& draft);
    // Signs a checkpoint of everything staged so far and stages it after them.
    util::Expected<void> stage_checkpoint(const char* reason);
    // Appends what is staged; on failure the tail goes back to `before`.
    util::Expected<void> write_staged(const Tail& before);
    bool unsealed() const;
    std::string archive_name() const;

    record::LogDirectory m_directory;
    SigningIdentity m_signer;
    EvidenceSettings m_settings;
    std::string m_host;
    std::optional<Ed25519Key> m_key;
    std::optional<Tail> m_tail;
    record::LogHandle m_file;                         // the active file, open while m_tail is set
    std::unique_ptr<record::JsonDocument> m_document; // not movable itself; reused per line
    std::vector<std::string> m_notices;
    record::JsonWriter m_lines; // the records of one append, rendered in place
};

} // namespace asocat::evidence
