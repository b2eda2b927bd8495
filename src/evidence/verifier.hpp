// `socat-audit verify`: proves that log files are what their writer wrote, or names the first
// place where they are not. Streams each file once with O(log n) memory: strict parse and
// byte-exact canonical form, record layout, log id, sequence, prev-hash chain, Merkle tree,
// every checkpoint's size, root, frontier and Ed25519 signature against the pinned key only,
// rotation links between consecutive files, (with a state file) that nothing verified before
// has been rolled back, forked or replaced, and at capture level full that the payload files
// hold the bytes the records name and digest (payload_check.hpp).
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "evidence/signed_note.hpp"
#include "evidence/verify_state.hpp"

namespace asocat::evidence {

enum class Outcome {
    complete = 0,   // verified, and nothing is missing that the logs could show
    tampered = 1,   // something was changed, removed, added or reordered
    incomplete = 2, // what is there verifies, but completeness is not proven
};

enum class Problem {
    // Tampering (outcome 1).
    unreadable,
    line_too_long,
    not_json,
    not_canonical,
    bad_layout,
    not_a_log,
    wrong_log,
    sequence,
    chain,
    checkpoint,
    signature,
    unknown_signer,
    rotation,
    rollback,
    fork,
    replaced,
    payload,         // full capture: the payload files differ from what the log says
    payload_missing, // a payload file, or bytes of it, the log names are not there
    // Completeness not proven (outcome 2).
    empty,
    torn_line,
    recovered_torn_line,
    unsealed_tail,
    open_session,
    payload_unsealed,   // stored payload whose stream.end (and digest) is not in the logs
    payload_incomplete, // a stream moved more than was stored, and no truncation says why
};
const char* problem_name(Problem problem);
bool is_tampering(Problem problem);

struct Finding {
    Problem problem;
    std::string file;
    std::uint64_t line = 0;           // 1-based; 0 when the finding is about the whole file
    std::optional<std::uint64_t> seq; // of the record concerned, when it has one
    std::uint64_t offset = 0;         // byte offset of the line
    std::string detail;
};

struct FileSummary {
    std::string file;
    std::string log_id;
    std::uint64_t records = 0;
    std::uint64_t checkpoints = 0;
    std::uint64_t sessions = 0;
    std::uint64_t sealed_size = 0; // tree size of the last verified checkpoint
    util::Digest256 sealed_root{}; // and its root
    bool passed = false;           // no tampering found in this file
};

struct VerifyReport {
    Outcome outcome = Outcome::complete;
    std::vector<FileSummary> files;
    std::optional<Finding> tampering; // the first one; verification stops there
    std::vector<Finding> gaps;        // why completeness is not proven
    std::uint64_t records = 0;
    std::uint64_t checkpoints = 0;
    std::uint64_t sessions = 0;
};

// Verifies `files` in order (a rotated series oldest first, the active audit.jsonl last, as
// `*.jsonl` expands). With `state`, checks against it and, unless tampering was found,
// records the largest verified checkpoint of every log in it.
VerifyReport verify_logs(const std::vector<std::string>& files, const PinnedKey& key,
                         VerifyState* state);

} // namespace asocat::evidence
