// The streams of a session: one per descriptor lifetime in one process, from its first data
// call to its close, with the bytes that moved each way counted (and, at the digest level,
// hashed in call order). A stream's record is produced when it ends.
//
// A relay writes to one stream exactly the bytes it read from another. Such an outgoing stream
// is not hashed a second time: it mirrors the incoming one, and its digest is forked from the
// incoming stream's hash state when it ends or stops copying (the incoming stream keeps its
// last chunk and the hash state before it, and a mirror never lags by more than that chunk).
// This halves the hashing of a relay, its largest cost; what hashing remains runs on a
// HashPipeline, so every read of a hash state here settles the pipeline first.
#pragma once

#include <map>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "capture/descriptor_kind.hpp"
#include "capture/hash_pipeline.hpp"
#include "capture/payload_collector.hpp"
#include "session/capture_events.hpp"
#include "util/sha256.hpp"

namespace asocat::capture {

class StreamTable {
public:
    using Key = std::pair<pid_t, int>;
    struct Stream {
        session::StreamEnd facts; // filled in as the stream goes; time and reason at its end
        DescriptorKind description;
        util::Sha256 in_hash;
        util::Sha256 out_hash;
        // Incoming: the last chunk read, the hash state before it, and the outgoing streams
        // that copy this one.
        std::string last_in;
        std::uint64_t last_in_start = 0;
        util::Sha256 before_last_in;
        std::vector<Key> mirrored_by;
        // Outgoing: the incoming stream this one copies, while it does.
        std::optional<Key> mirror_of;
    };

    // `payload`: full capture, with its limits.
    StreamTable(std::string session, bool digests, std::optional<PayloadLimits> payload)
        : m_session(std::move(session)), m_digests(digests || payload),
          m_hashing(std::make_unique<HashPipeline>(m_digests && HashPipeline::worth_a_thread())) {
        if (payload) {
            m_payload.emplace(*payload);
        }
    }

    StreamTable(StreamTable&&) = default;
    StreamTable& operator=(StreamTable&&) = delete;

    Stream* find(pid_t pid, int fd);
    // The stream of (pid, fd), created from `description` if it is new.
    Stream& open(pid_t pid, int fd, DescriptorKind description);

    // `bytes` moved through the stream (in: into the process).
    void moved(Stream& stream, bool in, std::string_view bytes);
    // Byte counts the kernel kept (meta level, where data calls are not seen).
    void set_counts(Stream& stream, std::uint64_t in, std::uint64_t out);
    // The peer a datagram came from or went to, for a stream that has none yet.
    static void saw_peer(Stream& stream, std::optional<session::Endpoint> peer);

    std::optional<session::StreamEnd> end(pid_t pid, int fd, session::StreamEndReason reason);
    std::vector<session::StreamEnd> end_range(pid_t pid, int first, int last,
                                              session::StreamEndReason reason);
    std::vector<session::StreamEnd> end_all(session::StreamEndReason reason);
    // The open streams of `pid`, for checks after an exec.
    std::vector<int> descriptors_of(pid_t pid) const;

    // Full capture: runs of bytes ready to be stored (`all`: also the open ones), and the
    // streams whose storing stopped at a limit.
    std::vector<PayloadCollector::Run> take_payload(bool all);
    // A stored run's buffer, for reuse.
    void recycle_payload(std::string bytes) {
        if (m_payload) {
            m_payload->recycle(std::move(bytes));
        }
    }
    // Whether enough runs are ready that they should be stored now.
    bool payload_due() const { return m_payload && m_payload->store_due(); }
    std::vector<session::PayloadTruncated> take_truncations() {
        return std::exchange(m_truncations, {});
    }

    std::uint64_t streams_seen() const { return m_seen; }
    std::uint64_t bytes_in() const { return m_bytes_in; }
    std::uint64_t bytes_out() const { return m_bytes_out; }

private:
    session::StreamEnd finish(Stream& stream, session::StreamEndReason reason);
    void received(const Key& key, Stream& stream, std::string_view bytes);
    // Returns whether the bytes were an exact copy of what `*source` received.
    bool sent(const Key& key, Stream& stream, std::string_view bytes, Key* source);
    // The hash state of what a mirroring stream sent so far.
    static util::Sha256 mirrored_state(const Stream& mirror, const Stream& source);
    util::Sha256 state_so_far(Stream& stream, bool in);
    // Gives a mirroring stream its own hash state, equal to the hash of what it sent so far.
    void materialize(Stream& mirror, Stream& source);
    void store(const Key& key, bool in, std::uint64_t offset, std::string_view bytes,
               const Key* copied_from);
    void stop_mirroring(Stream& mirror, const Key& key);

    std::string m_session;
    bool m_digests;
    std::map<Key, Stream> m_streams;
    std::map<pid_t, Key> m_last_read; // per process: the stream it read from last
    std::optional<PayloadCollector> m_payload;
    std::vector<session::PayloadTruncated> m_truncations;
    // After m_streams: destroyed first, it applies what it still holds while the states exist.
    // On the heap, and never move-assigned: queued updates point into m_streams' nodes.
    std::unique_ptr<HashPipeline> m_hashing;
    std::uint64_t m_seen = 0;
    std::uint64_t m_bytes_in = 0;
    std::uint64_t m_bytes_out = 0;
};

} // namespace asocat::capture
