#include "capture/stream_table.hpp"

#include <algorithm>

#include "util/clock.hpp"

namespace asocat::capture {

StreamTable::Stream* StreamTable::find(pid_t pid, int fd) {
    const auto found = m_streams.find({pid, fd});
    return found == m_streams.end() ? nullptr : &found->second;
}

StreamTable::Stream& StreamTable::open(pid_t pid, int fd, DescriptorKind description) {
    auto [it, created] = m_streams.try_emplace({pid, fd});
    Stream& stream = it->second;
    if (created) {
        ++m_seen;
        stream.facts.session = m_session;
        stream.facts.pid = pid;
        stream.facts.fd = fd;
        stream.facts.kind = description.kind;
        stream.facts.path = description.path;
        stream.facts.local = description.local;
        stream.facts.peer = description.peer;
        stream.description = std::move(description);
    }
    return stream;
}

void StreamTable::moved(Stream& stream, bool in, std::string_view bytes) {
    if (bytes.empty()) {
        if (in) {
            stream.facts.in.eof = true;
        }
        return;
    }
    auto& direction = in ? stream.facts.in : stream.facts.out;
    const auto now = util::wall_now();
    if (!direction.first) {
        direction.first = now;
    }
    direction.last = now;
    const Key key{stream.facts.pid, stream.facts.fd};
    const std::uint64_t offset = direction.bytes;
    if (m_payload) {
        if (auto limit = m_payload->check(key, in, bytes.size())) {
            session::PayloadTruncated truncated;
            truncated.session = m_session;
            truncated.time = now;
            truncated.pid = key.first;
            truncated.fd = key.second;
            truncated.in = in;
            truncated.stored = limit->stored;
            truncated.stored_sha256 = util::to_hex(state_so_far(stream, in).finish());
            truncated.reason = limit->reason;
            truncated.limit = limit->limit;
            m_truncations.push_back(std::move(truncated));
            m_payload->truncate(*limit);
        }
    }
    Key source{};
    bool copied = false;
    if (m_digests) {
        if (in) {
            received(key, stream, bytes);
        } else {
            copied = sent(key, stream, bytes, &source);
        }
    }
    if (m_payload) {
        store(key, in, offset, bytes, copied ? &source : nullptr);
    }
    direction.bytes += bytes.size();
    ++direction.calls;
    (in ? m_bytes_in : m_bytes_out) += bytes.size();
}

void StreamTable::received(const Key& key, Stream& stream, std::string_view bytes) {
    // A mirror still inside the chunk about to be replaced gets its own state first.
    for (auto it = stream.mirrored_by.begin(); it != stream.mirrored_by.end();) {
        Stream* mirror = find(it->first, it->second);
        if (mirror != nullptr && mirror->facts.out.bytes == stream.facts.in.bytes) {
            ++it;
            continue;
        }
        if (mirror != nullptr) {
            materialize(*mirror, stream);
            mirror->mirror_of.reset();
        }
        it = stream.mirrored_by.erase(it);
    }
    m_hashing->update(stream.in_hash, bytes, &stream.before_last_in);
    stream.last_in.assign(bytes);
    stream.last_in_start = stream.facts.in.bytes;
    m_last_read[key.first] = key;
}

bool StreamTable::sent(const Key& key, Stream& stream, std::string_view bytes, Key* copied_from) {
    const std::uint64_t at = stream.facts.out.bytes;
    if (stream.mirror_of) {
        Stream* source = find(stream.mirror_of->first, stream.mirror_of->second);
        if (source != nullptr && at >= source->last_in_start &&
            at + bytes.size() <= source->facts.in.bytes &&
            std::string_view(source->last_in).substr(at - source->last_in_start, bytes.size()) ==
                bytes) {
            *copied_from = *stream.mirror_of;
            return true; // still an exact copy
        }
        stop_mirroring(stream, key);
    } else if (at == 0) {
        const auto last = m_last_read.find(key.first);
        Stream* source =
            last == m_last_read.end() ? nullptr : find(last->second.first, last->second.second);
        if (source != nullptr && source != &stream && source->last_in_start == 0 &&
            std::string_view(source->last_in).substr(0, bytes.size()) == bytes) {
            stream.mirror_of = last->second;
            source->mirrored_by.push_back(key);
            *copied_from = last->second;
            return true;
        }
    }
    m_hashing->update(stream.out_hash, bytes);
    return false;
}

util::Sha256 StreamTable::mirrored_state(const Stream& mirror, const Stream& source) {
    const std::uint64_t sent = mirror.facts.out.bytes;
    if (sent == source.facts.in.bytes) {
        return source.in_hash.clone();
    }
    util::Sha256 state = source.before_last_in.clone();
    state.update(source.last_in.data(), sent - source.last_in_start);
    return state;
}

util::Sha256 StreamTable::state_so_far(Stream& stream, bool in) {
    m_hashing->settle();
    if (in) {
        return stream.in_hash.clone();
    }
    if (stream.mirror_of) {
        if (const Stream* source = find(stream.mirror_of->first, stream.mirror_of->second)) {
            return mirrored_state(stream, *source);
        }
    }
    return stream.out_hash.clone();
}

void StreamTable::materialize(Stream& mirror, Stream& source) {
    m_hashing->settle();
    mirror.out_hash = mirrored_state(mirror, source);
}

void StreamTable::store(const Key& key, bool in, std::uint64_t offset, std::string_view bytes,
                        const Key* copied_from) {
    if (copied_from != nullptr && m_payload->add_copy(key, offset, bytes.size(), *copied_from)) {
        return; // a relay's copy: the bytes are stored once, with the stream they came from
    }
    m_payload->add(key, in, offset, bytes);
}

std::vector<PayloadCollector::Run> StreamTable::take_payload(bool all) {
    if (!m_payload) {
        return {};
    }
    return all ? m_payload->take_all() : m_payload->take_ready();
}

void StreamTable::stop_mirroring(Stream& mirror, const Key& key) {
    Stream* source = find(mirror.mirror_of->first, mirror.mirror_of->second);
    mirror.mirror_of.reset();
    if (source == nullptr) {
        return; // materialized when the source ended
    }
    materialize(mirror, *source);
    std::erase(source->mirrored_by, key);
}

void StreamTable::set_counts(Stream& stream, std::uint64_t in, std::uint64_t out) {
    m_bytes_in += in - std::min(in, stream.facts.in.bytes);
    m_bytes_out += out - std::min(out, stream.facts.out.bytes);
    stream.facts.in.bytes = in;
    stream.facts.out.bytes = out;
}

void StreamTable::saw_peer(Stream& stream, std::optional<session::Endpoint> peer) {
    if (!stream.facts.peer && peer) {
        stream.facts.peer = std::move(peer);
    }
}

session::StreamEnd StreamTable::finish(Stream& stream, session::StreamEndReason reason) {
    m_hashing->settle();
    const Key key{stream.facts.pid, stream.facts.fd};
    if (stream.mirror_of) {
        stop_mirroring(stream, key);
    }
    for (const Key& mirror_key : stream.mirrored_by) {
        if (Stream* mirror = find(mirror_key.first, mirror_key.second)) {
            materialize(*mirror, stream);
            mirror->mirror_of.reset();
        }
    }
    stream.mirrored_by.clear();
    if (m_payload) {
        m_payload->close(key);
    }
    if (const auto last = m_last_read.find(key.first);
        last != m_last_read.end() && last->second == key) {
        m_last_read.erase(last);
    }
    session::StreamEnd facts = std::move(stream.facts);
    facts.time = util::wall_now();
    facts.reason = reason;
    if (m_digests) {
        facts.in.sha256 = util::to_hex(stream.in_hash.finish());
        facts.out.sha256 = util::to_hex(stream.out_hash.finish());
    }
    return facts;
}

std::optional<session::StreamEnd> StreamTable::end(pid_t pid, int fd,
                                                   session::StreamEndReason reason) {
    const auto found = m_streams.find({pid, fd});
    if (found == m_streams.end()) {
        return std::nullopt;
    }
    auto facts = finish(found->second, reason);
    m_streams.erase(found);
    return facts;
}

std::vector<session::StreamEnd> StreamTable::end_range(pid_t pid, int first, int last,
                                                       session::StreamEndReason reason) {
    std::vector<session::StreamEnd> ended;
    auto it = m_streams.lower_bound({pid, first});
    while (it != m_streams.end() && it->first.first == pid && it->first.second <= last) {
        ended.push_back(finish(it->second, reason));
        it = m_streams.erase(it);
    }
    return ended;
}

std::vector<session::StreamEnd> StreamTable::end_all(session::StreamEndReason reason) {
    std::vector<session::StreamEnd> ended;
    for (auto& [key, stream] : m_streams) {
        ended.push_back(finish(stream, reason));
    }
    m_streams.clear();
    return ended;
}

std::vector<int> StreamTable::descriptors_of(pid_t pid) const {
    std::vector<int> fds;
    for (auto it = m_streams.lower_bound({pid, -1});
         it != m_streams.end() && it->first.first == pid; ++it) {
        fds.push_back(it->first.second);
    }
    return fds;
}

} // namespace asocat::capture
