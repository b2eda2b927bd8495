// The records a log keeps about itself (man/audited-socat-records.7): log.header (the first
// record of every file), checkpoint (a signed tree head, plus the frontier a writer resumes
// from), and log.recovery (a torn line found after a crash, named exactly).
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "record/record_draft.hpp"
#include "util/sha256.hpp"

namespace asocat::evidence {

// Who signs this log's checkpoints, as the header announces it.
struct SignerInfo {
    std::string name;
    std::string key_id; // 8 hex digits
};

// The file a new log continues from (rotation), or why it could not be continued.
struct PreviousLog {
    std::string file;
    std::optional<std::string> log;
    std::optional<std::uint64_t> size;
    std::optional<util::Digest256> root;
    std::optional<std::string> checkpoint; // the signed note of its final checkpoint
    std::optional<std::string> anomaly;    // set when the previous file could not be continued
};

record::RecordDraft log_header_record(util::WallTime time, std::string host, std::string origin,
                                      SignerInfo signer, std::optional<PreviousLog> previous);

struct CheckpointFacts {
    std::string reason; // "count", "interval", "heartbeat", "session-end", "rotation", "close"
    std::uint64_t size = 0;
    util::Digest256 root{};
    std::vector<util::Digest256> frontier;
    std::string note;
};
record::RecordDraft checkpoint_record(util::WallTime time, CheckpointFacts facts);

struct TornLine {
    std::uint64_t offset = 0;
    std::uint64_t length = 0;
    util::Digest256 sha256{};
};
record::RecordDraft recovery_record(util::WallTime time, TornLine torn);

std::string to_base64(const util::Digest256& digest);

} // namespace asocat::evidence
