// What `socat-audit verify --state FILE` remembers between runs: for every log, the largest
// checkpoint it has verified (tree size and root), and which log each file path last held. A
// later run that finds less (rollback, truncation below it), a different root at that size
// (fork), or another unrelated log under a remembered path (replacement) reports tampering.
#pragma once

#include <cstdint>
#include <map>
#include <string>

#include "util/error.hpp"
#include "util/sha256.hpp"

namespace asocat::evidence {

struct RememberedLog {
    std::uint64_t size = 0;
    util::Digest256 root{};
};

class VerifyState {
public:
    // Reads `path`; a missing file is an empty state.
    static util::Expected<VerifyState> load(const std::string& path);
    // Writes atomically (a temporary file renamed over it), 0600.
    util::Expected<void> save() const;

    const RememberedLog* log(const std::string& log_id) const;
    const std::string* log_at(const std::string& file) const;
    void remember(const std::string& log_id, const RememberedLog& checkpoint);
    void remember_file(const std::string& file, const std::string& log_id);

private:
    explicit VerifyState(std::string path) : m_path(std::move(path)) {}
    std::string m_path;
    std::map<std::string, RememberedLog> m_logs;
    std::map<std::string, std::string> m_files;
};

} // namespace asocat::evidence
