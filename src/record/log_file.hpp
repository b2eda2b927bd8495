// The local JSON-lines log: <log_dir>/audit.jsonl, created 0600 inside a directory that only its
// owner can change (see util/trusted_path.hpp). Concurrent sessions append under an exclusive
// flock(2); a write that fails halfway (ENOSPC, EIO, EFBIG) is cut back so the file never ends in
// a torn record of ours, and what was there before is never touched. Appending and syncing are
// separate so a caller can let socat start while the start record reaches the disk.
#pragma once

#include <string>
#include <string_view>

#include "record/record_sink.hpp"
#include "util/error.hpp"
#include "util/scoped_fd.hpp"
#include "util/trusted_path.hpp"

namespace asocat::record {

inline constexpr const char* kLogFileName = "audit.jsonl";

class LogFile final : public RecordSink {
public:
    // Opens (creating if needed) the log in `directory`. With `create_directory`, missing
    // directories are created 0700.
    static util::Expected<LogFile> open(const std::string& directory,
                                        const util::TrustPolicy& policy, bool create_directory);

    util::Expected<void> append(std::string_view line) override;
    util::Expected<void> sync() override;
    std::string describe() const override { return m_path; }
    const std::string& path() const { return m_path; }

private:
    LogFile(util::ScopedFd fd, std::string path) : m_fd(std::move(fd)), m_path(std::move(path)) {}

    util::ScopedFd m_fd;
    std::string m_path;
};

} // namespace asocat::record
