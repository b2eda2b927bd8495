#include "util/line_reader.hpp"

#include <fcntl.h>
#include <unistd.h>

#include <cerrno>
#include <stdexcept>
#include <system_error>

namespace asocat::util {

LineReader::LineReader(const std::string& path, std::size_t max_line)
    : m_path(path), m_max_line(max_line),
      m_fd(::open(path.c_str(), O_RDONLY | O_CLOEXEC | O_NOCTTY)) {}

Expected<void> LineReader::opened() const {
    return m_fd ? Expected<void>() : Error::from_errno(m_path);
}

std::optional<std::string_view> LineReader::next() {
    for (;;) {
        const auto lf = m_buffer.find('\n', m_start);
        if (lf != std::string::npos) {
            const std::string_view line(m_buffer.data() + m_start, lf - m_start);
            m_start = lf + 1;
            return line;
        }
        m_buffer.erase(0, m_start);
        m_start = 0;
        if (m_buffer.size() > m_max_line) {
            throw std::runtime_error(m_path + ": a line is longer than " +
                                     std::to_string(m_max_line) + " bytes");
        }
        m_chunk.resize(1 << 20);
        ssize_t n;
        do {
            n = ::read(m_fd.get(), m_chunk.data(), m_chunk.size());
        } while (n < 0 && errno == EINTR);
        if (n < 0) {
            // A system_error (a runtime_error) keeps the errno for callers that tell I/O
            // failures from bad data.
            throw std::system_error(errno, std::generic_category(), m_path);
        }
        if (n == 0) {
            return std::nullopt;
        }
        m_buffer.append(m_chunk.data(), static_cast<std::size_t>(n));
    }
}

std::string_view LineReader::unterminated() const {
    return std::string_view(m_buffer).substr(m_start);
}

} // namespace asocat::util
