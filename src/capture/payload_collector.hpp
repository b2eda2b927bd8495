// Full capture: gathers the bytes of every stream and direction into runs that are written to
// the session's payload file together (a run per stream and direction, so each record names
// one contiguous range), and remembers which runs are copies of bytes already gathered for
// another stream (a relay writes what it read: those bytes are stored once). Limits per stream
// and per session stop the storing, never the digest or socat.
#pragma once

#include <cstdint>
#include <map>
#include <optional>
#include <string>
#include <string_view>
#include <sys/types.h>
#include <utility>
#include <vector>

namespace asocat::capture {

struct PayloadLimits {
    std::uint64_t per_stream = 1ull << 30;  // bytes stored per stream and direction
    std::uint64_t per_session = 4ull << 30; // bytes stored in all
};

class PayloadCollector {
public:
    using Key = std::pair<pid_t, int>;
    struct Run {
        Key key;
        bool in = true;
        std::uint64_t stream_offset = 0;
        std::string bytes;             // to be stored, or empty for a copy
        std::uint64_t copy_length = 0; // a copy: its length
        std::optional<Key> copy_of;    // a copy: the incoming stream holding the bytes
    };
    struct Truncation {
        Key key;
        bool in = true;
        std::uint64_t stored = 0;
        std::string reason;
        std::uint64_t limit = 0;
    };

    explicit PayloadCollector(PayloadLimits limits) : m_limits(limits) {}

    // Whether `length` more bytes at the end of this stream and direction would pass a limit
    // (then truncate() is due first, with the digest of what was stored).
    std::optional<Truncation> check(const Key& key, bool in, std::uint64_t length) const;
    void truncate(const Truncation& truncation);

    // Bytes that moved at `offset` of the stream and direction.
    void add(const Key& key, bool in, std::uint64_t offset, std::string_view bytes);
    // Outgoing bytes that are exactly those `source` received at the same offset, if the
    // collector stored those; returns false (then add() them) if it did not.
    bool add_copy(const Key& key, std::uint64_t offset, std::uint64_t length, const Key& source);

    // Runs that are complete (a stream ended, a run grew large, or the buffer grew large).
    std::vector<Run> take_ready();
    // Every open run, for a periodic flush; `key` only, for a stream that ends.
    std::vector<Run> take_all();
    void close(const Key& key); // the stream ended: its runs become ready
    // Whether the ready runs hold enough bytes to be stored now, rather than at the next
    // periodic flush (at 300 MB/s a 100 ms flush interval would hold 30 MB).
    bool store_due() const { return m_ready_bytes >= kStoreDueBytes; }
    // Hands back the buffer of a run that was stored, so the next run reuses its memory
    // instead of faulting in fresh pages (a run is 256 KiB; malloc maps such blocks anew).
    void recycle(std::string bytes);

private:
    static constexpr std::uint64_t kStoreDueBytes = 1024 * 1024;
    struct Direction {
        std::optional<Run> open;
        std::uint64_t stored_through = 0; // bytes stored from offset 0, before any truncation
        bool truncated = false;
    };
    Direction& direction(const Key& key, bool in);
    void finish(Direction& direction);

    PayloadLimits m_limits;
    std::map<std::pair<Key, bool>, Direction> m_directions;
    std::vector<Run> m_ready;
    std::vector<std::string> m_spare; // emptied buffers of stored runs
    std::uint64_t m_stored = 0;       // bytes accepted for storing, in all
    std::uint64_t m_buffered = 0;     // bytes in open runs
    std::uint64_t m_ready_bytes = 0;  // bytes in ready runs
};

} // namespace asocat::capture
