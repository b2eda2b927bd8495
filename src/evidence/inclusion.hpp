// Proof that one record is in a log, checkable without the rest of the log: the record's bytes,
// its Merkle inclusion path, and a signed checkpoint, in the C2SP tlog-proof text format
// (c2sp.org/tlog-proof@v1; the record travels base64-encoded as its "extra" data).
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "evidence/signed_note.hpp"
#include "util/error.hpp"
#include "util/sha256.hpp"

namespace asocat::evidence {

struct InclusionProof {
    std::uint64_t index = 0;
    std::string record; // the line, without its newline
    std::vector<util::Digest256> path;
    std::string checkpoint; // the signed note
};

std::string encode_proof(const InclusionProof& proof);
util::Expected<InclusionProof> decode_proof(std::string_view text);

// Reads `log` (twice, streaming) and proves record `seq` against the first checkpoint that
// covers it.
util::Expected<InclusionProof> prove_inclusion(const std::string& log, std::uint64_t seq);

struct ProofCheck {
    std::uint64_t size = 0; // of the checkpointed tree
    std::string origin;     // of the log
    std::string signer;     // key name that signed the checkpoint
};
// Checks signature (pinned key only), that the record is record `index` of that log, and the
// inclusion path. The error says which part failed.
util::Expected<ProofCheck> check_inclusion(const InclusionProof& proof, const PinnedKey& key);

} // namespace asocat::evidence
