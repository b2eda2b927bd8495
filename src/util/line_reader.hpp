// Reads a file forward one line at a time in bounded memory: the tools that read logs (prove,
// show) stream files of any size.
#pragma once

#include <cstddef>
#include <optional>
#include <string>
#include <string_view>

#include "util/error.hpp"
#include "util/scoped_fd.hpp"

namespace asocat::util {

class LineReader {
public:
    // Lines longer than `max_line` bytes are refused (records are at most 16 MiB).
    explicit LineReader(const std::string& path, std::size_t max_line = std::size_t{16} << 20);

    // Whether the file could be opened (errno and path in the error).
    Expected<void> opened() const;

    // The next complete line without its LF, valid until the next call; nullopt at the end.
    // Throws std::system_error on read errors, std::runtime_error on lines longer than the limit.
    std::optional<std::string_view> next();

    // Once next() has returned nullopt: the bytes after the last LF (a line a writer did not
    // finish), empty if the file ended with a LF.
    std::string_view unterminated() const;

private:
    std::string m_path;
    std::size_t m_max_line;
    ScopedFd m_fd;
    std::string m_buffer;
    std::string m_chunk;
    std::size_t m_start = 0;
};

} // namespace asocat::util
