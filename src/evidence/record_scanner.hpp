// The verifier's fast path: one pass over a record line, with no tree and no re-serialisation,
// that accepts the line only if it is canonical JSON (exactly the bytes JsonWriter would write)
// laid out as its asocat.type requires, and hands back the fields the chain depends on.
//
// It is an acceptor, not a judge: anything it is unsure of (a non-canonical byte, an unknown
// member, an escape inside a chain field) makes it decline, and the verifier then runs the full
// strict parse, canonical re-serialisation and layout check, which name the problem. So a
// declined line costs both; an accepted one must be one the full path accepts with the same
// fields (tests/unit and tests/fuzz/fuzz_record_scanner.cpp check exactly that).
#pragma once

#include <cstdint>
#include <optional>
#include <string_view>

#include "util/sha256.hpp"

namespace asocat::evidence {

// The members of asocat that link a record into its log. Views into the scanned line.
struct ChainFields {
    std::string_view log;
    std::uint64_t seq = 0;
    util::Digest256 prev{};
    std::string_view type;
    std::string_view session; // empty for types without one
};

std::optional<ChainFields> scan_canonical_record(std::string_view line);

} // namespace asocat::evidence
