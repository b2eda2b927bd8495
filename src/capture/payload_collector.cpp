#include "capture/payload_collector.hpp"

namespace asocat::capture {
namespace {

// A run is written once it holds this much; all runs once this much is buffered in all.
constexpr std::size_t kRunBytes = 256 * 1024;
constexpr std::uint64_t kBufferedBytes = 8 * 1024 * 1024;
// Spare buffers kept for new runs: enough for the runs of a relay's two directions in flight.
constexpr std::size_t kSpareBuffers = 4;

} // namespace

PayloadCollector::Direction& PayloadCollector::direction(const Key& key, bool in) {
    return m_directions[{key, in}];
}

std::optional<PayloadCollector::Truncation> PayloadCollector::check(const Key& key, bool in,
                                                                    std::uint64_t length) const {
    const auto found = m_directions.find({key, in});
    const std::uint64_t stored = found == m_directions.end() ? 0 : found->second.stored_through;
    if (found != m_directions.end() && found->second.truncated) {
        return std::nullopt; // already said
    }
    if (stored + length > m_limits.per_stream) {
        return Truncation{key, in, stored, "stream-limit", m_limits.per_stream};
    }
    if (m_stored + length > m_limits.per_session) {
        return Truncation{key, in, stored, "session-limit", m_limits.per_session};
    }
    return std::nullopt;
}

void PayloadCollector::truncate(const Truncation& truncation) {
    Direction& d = direction(truncation.key, truncation.in);
    finish(d);
    d.truncated = true;
}

void PayloadCollector::finish(Direction& d) {
    // A copy names bytes of its source: the source's run is written first, so a reader meets
    // the bytes before any copy of them.
    if (d.open && d.open->copy_of) {
        if (const auto source = m_directions.find({*d.open->copy_of, true});
            source != m_directions.end()) {
            finish(source->second);
        }
    }
    if (d.open) {
        m_buffered -= d.open->bytes.size();
        m_ready_bytes += d.open->bytes.size();
        m_ready.push_back(std::move(*d.open));
        d.open.reset();
    }
}

void PayloadCollector::add(const Key& key, bool in, std::uint64_t offset, std::string_view bytes) {
    Direction& d = direction(key, in);
    if (d.truncated || offset != d.stored_through) {
        return; // past a truncation: nothing more is stored for this stream and direction
    }
    if (d.open && d.open->copy_of) {
        finish(d);
    }
    if (!d.open) {
        d.open = Run{key, in, offset, {}, 0, std::nullopt};
        if (!m_spare.empty()) {
            d.open->bytes = std::move(m_spare.back());
            m_spare.pop_back();
        }
    }
    d.open->bytes.append(bytes);
    d.stored_through += bytes.size();
    m_stored += bytes.size();
    m_buffered += bytes.size();
    if (d.open->bytes.size() >= kRunBytes) {
        finish(d);
    }
    if (m_buffered >= kBufferedBytes) {
        for (auto& [id, each] : m_directions) {
            finish(each);
        }
    }
}

bool PayloadCollector::add_copy(const Key& key, std::uint64_t offset, std::uint64_t length,
                                const Key& source) {
    const auto held = m_directions.find({source, true});
    if (held == m_directions.end() || held->second.stored_through < offset + length) {
        return false;
    }
    Direction& d = direction(key, false);
    if (d.truncated || offset != d.stored_through) {
        return true; // nothing is stored past a truncation; the copy is not needed either
    }
    const bool extends = d.open && d.open->copy_of == source &&
                         d.open->stream_offset + d.open->copy_length == offset;
    if (!extends) {
        finish(d);
        d.open = Run{key, false, offset, {}, 0, source};
    }
    d.open->copy_length += length;
    d.stored_through += length;
    return true;
}

void PayloadCollector::recycle(std::string bytes) {
    if (m_spare.size() < kSpareBuffers && bytes.capacity() >= kRunBytes) {
        bytes.clear();
        m_spare.push_back(std::move(bytes));
    }
}

std::vector<PayloadCollector::Run> PayloadCollector::take_ready() {
    m_ready_bytes = 0;
    return std::exchange(m_ready, {});
}

std::vector<PayloadCollector::Run> PayloadCollector::take_all() {
    for (auto& [id, each] : m_directions) {
        finish(each);
    }
    return take_ready();
}

void PayloadCollector::close(const Key& key) {
    // Copies of this stream's bytes are written with it, while its key still names it (the
    // descriptor number may soon name another stream).
    for (auto& [id, each] : m_directions) {
        if (each.open && each.open->copy_of == key) {
            finish(each);
        }
    }
    for (const bool in : {true, false}) {
        if (const auto found = m_directions.find({key, in}); found != m_directions.end()) {
            finish(found->second);
            m_directions.erase(found);
        }
    }
}

} // namespace asocat::capture
