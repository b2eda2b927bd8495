// `socat-audit verify` for full capture: the payload files are checked against the signed log
// that references them. Fed a log's stream.payload, stream.truncated and stream.end records in
// order, it reassembles every stream and direction from its runs, reading them back from the
// payload files in the log's directory (a copy_of run from the stored runs of the incoming
// stream it names) and hashing as it goes, and at the stream's end compares what it read with
// the digest there (past a stream.truncated, with the digest of the stored prefix).
//
// Memory grows with the streams open at a time and the runs of their incoming directions (a
// copy may name any of them), never with their bytes: runs are read in 1 MiB chunks.
#pragma once

#include <cstdint>
#include <memory>
#include <optional>
#include <string_view>
#include <vector>

#include "evidence/record_view.hpp"
#include "evidence/verifier.hpp"
#include "record/json_reader.hpp"

namespace asocat::evidence {

// Where a record sits, to name it in a finding, and where its payload files are.
struct RecordPlace {
    std::string_view file;      // the log file, as given
    std::string_view directory; // that file's directory: payload files are opened only there
    std::uint64_t line = 0;
    std::uint64_t offset = 0;
};

struct PayloadVerdict {
    std::optional<Finding> tampering; // payload or payload-missing: verification stops there
    std::vector<Finding> gaps;        // payload-incomplete
};

class PayloadCheck {
public:
    PayloadCheck();
    PayloadCheck(const PayloadCheck&) = delete;
    PayloadCheck& operator=(const PayloadCheck&) = delete;
    ~PayloadCheck();

    // The record types feed() reads.
    static bool reads(std::string_view type);
    // Whether a stream.end of `session` may end a stream this check holds (the verifier's fast
    // path parses only those).
    bool follows(std::string_view session) const;
    // The first file verified continues one that is not: streams first seen past their byte 0
    // began there, and only what is seen of them is checked.
    void begins_mid_series();

    // One record of a type reads() names, which passed every other check.
    PayloadVerdict feed(const record::JsonValue& root, const RecordView& view,
                        const RecordPlace& place);

    // Streams with payload records and no stream.end (yet): payload-unsealed gaps.
    std::vector<Finding> unsealed() const;

private:
    struct State;
    std::unique_ptr<State> m_state;
};

} // namespace asocat::evidence
