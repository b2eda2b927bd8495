// The body of a C2SP checkpoint (c2sp.org/tlog-checkpoint): origin, tree size, root hash, and
// optional extension lines. Signed as a note (evidence/signed_note.hpp).
#pragma once

#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "util/error.hpp"
#include "util/sha256.hpp"

namespace asocat::evidence {

struct Checkpoint {
    std::string origin;
    std::uint64_t size = 0;
    util::Digest256 root{};
    std::vector<std::string> extensions; // further lines, without their "\n"

    // "<origin>\n<size>\n<base64 root>\n" followed by the extension lines.
    std::string body() const;
};

// Strict: no leading zeros in the size, canonical base64 of exactly 32 bytes, non-empty lines.
util::Expected<Checkpoint> parse_checkpoint(std::string_view body);

} // namespace asocat::evidence
