// Where finished record lines go. The launcher writes through this interface only, so the
// evidence layer (chain, Merkle tree, signatures) can wrap it and forwarding sinks can be added
// beside the local file without touching the launcher.
#pragma once

#include <string>
#include <string_view>

#include "util/error.hpp"

namespace asocat::record {

class RecordSink {
public:
    virtual ~RecordSink() = default;
    // Appends one complete line ("...\n"): all of it is stored, or none of it and an error.
    // Stored means accepted by the destination (for a file: in the page cache, space reserved).
    virtual util::Expected<void> append(std::string_view line) = 0;
    // Makes everything appended so far durable (for a file: fdatasync), or says why not.
    virtual util::Expected<void> sync() = 0;
    // Where the records are, for messages ("/var/log/audited-socat/audit.jsonl").
    virtual std::string describe() const = 0;
};

} // namespace asocat::record
