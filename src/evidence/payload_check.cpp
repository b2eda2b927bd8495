#include "evidence/payload_check.hpp"

#include <fcntl.h>
#include <unistd.h>

#include <algorithm>
#include <compare>
#include <map>
#include <string>
#include <sys/stat.h>
#include <utility>

#include "util/error.hpp"
#include "util/scoped_fd.hpp"
#include "util/sha256.hpp"

namespace asocat::evidence {
namespace {

using record::JsonKind;
using record::JsonValue;

constexpr std::size_t kReadChunk = 1 << 20;
// Payload files no open stream uses that stay open, for the next stream of their session.
constexpr std::size_t kIdleBlobs = 16;

// Raised inside feed() at the first tampering; feed() turns it into a finding.
struct Fault {
    Problem problem;
    std::string detail;
};

[[noreturn]] void fault(Problem problem, std::string detail) {
    throw Fault{problem, std::move(detail)};
}

// Names taken from a record, made safe to print: it may have been written by an attacker.
std::string quoted(std::string_view text) {
    constexpr std::size_t kShown = 80;
    std::string out = "\"";
    for (std::size_t i = 0; i < text.size() && i < kShown; ++i) {
        const auto c = static_cast<unsigned char>(text[i]);
        if (c < 0x20 || c >= 0x7f || c == '"' || c == '\\') {
            static constexpr char kHex[] = "0123456789abcdef";
            out += "\\x";
            out += kHex[c >> 4];
            out += kHex[c & 15];
        } else {
            out += static_cast<char>(c);
        }
    }
    out += text.size() > kShown ? "\"..." : "\"";
    return out;
}

// payload-[0-9a-f-]+\.blob exactly: nothing that could leave the log directory.
bool is_blob_name(std::string_view name) {
    constexpr std::string_view prefix = "payload-";
    constexpr std::string_view suffix = ".blob";
    if (name.size() <= prefix.size() + suffix.size() || !name.starts_with(prefix) ||
        !name.ends_with(suffix)) {
        return false;
    }
    const auto id = name.substr(prefix.size(), name.size() - prefix.size() - suffix.size());
    return std::all_of(id.begin(), id.end(), [](char c) {
        return (c >= '0' && c <= '9') || (c >= 'a' && c <= 'f') || c == '-';
    });
}

const JsonValue* member(const JsonValue* object, std::string_view name, JsonKind kind) {
    if (object == nullptr || object->kind() != JsonKind::object) {
        return nullptr;
    }
    const JsonValue* value = object->find(name);
    return value != nullptr && value->kind() == kind ? value : nullptr;
}

std::int64_t integer(const JsonValue* object, std::string_view name, std::string_view what) {
    const JsonValue* value = member(object, name, JsonKind::integer);
    if (value == nullptr) {
        fault(Problem::bad_layout, std::string(what) + " lacks the integer " + std::string(name));
    }
    return value->as_integer();
}

std::uint64_t count(const JsonValue* object, std::string_view name, std::string_view what) {
    const std::int64_t value = integer(object, name, what);
    if (value < 0) {
        fault(Problem::payload, std::string(what) + "." + std::string(name) + " is negative");
    }
    return static_cast<std::uint64_t>(value);
}

std::string_view text(const JsonValue* object, std::string_view name, std::string_view what) {
    const JsonValue* value = member(object, name, JsonKind::string);
    if (value == nullptr) {
        fault(Problem::bad_layout, std::string(what) + " lacks the string " + std::string(name));
    }
    return value->as_string();
}

bool direction_in(const JsonValue* object, std::string_view what) {
    const auto direction = text(object, "direction", what);
    if (direction != "in" && direction != "out") {
        fault(Problem::payload,
              std::string(what) + ".direction is " + quoted(direction) + ", not \"in\" or \"out\"");
    }
    return direction == "in";
}

struct Blob {
    std::string name;
    util::ScopedFd fd;

    std::uint64_t size() const {
        struct stat st {};
        return ::fstat(fd.get(), &st) == 0 ? static_cast<std::uint64_t>(st.st_size) : 0;
    }
};

// Stored bytes of an incoming stream, which copies may name.
struct Segment {
    std::uint64_t stream_offset = 0;
    std::shared_ptr<Blob> blob;
    std::uint64_t file_offset = 0;
    std::uint64_t length = 0;
};

struct Truncation {
    std::uint64_t stored = 0;
    std::string sha256;
};

// The last record about a stream direction, to name it in a gap.
struct Place {
    std::string file;
    std::uint64_t line = 0;
    std::uint64_t seq = 0;
    std::uint64_t offset = 0;
};

struct Direction {
    util::Sha256 hash;
    std::uint64_t reassembled = 0; // stream offset after the last run
    bool runs_seen = false;
    bool unverifiable = false; // its beginning is in a file not verified: nothing to hash from
    std::optional<Truncation> truncated;
    std::vector<Segment> segments; // incoming only
    std::string blob_name;         // the first payload file, to name in findings
    Place last;
};

struct StreamKey {
    std::string session;
    std::int64_t pid = 0;
    std::int64_t fd = 0;
    auto operator<=>(const StreamKey&) const = default;
};

struct Stream {
    std::optional<Direction> in;
    std::optional<Direction> out;
    Direction& side(bool incoming) {
        auto& d = incoming ? in : out;
        if (!d) {
            d.emplace();
        }
        return *d;
    }
};

std::string describe(const StreamKey& key, bool in) {
    return "pid " + std::to_string(key.pid) + " fd " + std::to_string(key.fd) +
           (in ? " in" : " out");
}

} // namespace

struct PayloadCheck::State {
    bool mid_series = false;
    std::map<StreamKey, Stream> streams;
    std::map<std::string, std::size_t, std::less<>> open_per_session;
    std::map<std::string, util::ScopedFd, std::less<>> directories;
    std::map<std::pair<std::string, std::string>, std::shared_ptr<Blob>> blobs;
    std::unique_ptr<char[]> buffer;

    Stream& stream(const StreamKey& key) {
        auto [it, created] = streams.try_emplace(key);
        if (created) {
            ++open_per_session[key.session];
        }
        return it->second;
    }

    Direction* find(const StreamKey& key, bool in) {
        const auto found = streams.find(key);
        if (found == streams.end()) {
            return nullptr;
        }
        auto& d = in ? found->second.in : found->second.out;
        return d ? &*d : nullptr;
    }

    int directory(std::string_view path) {
        const auto found = directories.find(path);
        if (found != directories.end()) {
            return found->second.get();
        }
        const std::string name(path);
        util::ScopedFd fd(::open(name.c_str(), O_PATH | O_DIRECTORY | O_CLOEXEC));
        if (!fd) {
            fault(Problem::payload_missing,
                  util::Error::from_errno("the log directory " + quoted(path)).describe());
        }
        return directories.emplace(name, std::move(fd)).first->second.get();
    }

    std::shared_ptr<Blob> blob(std::string_view directory_path, std::string_view name) {
        if (!is_blob_name(name)) {
            fault(Problem::payload, "names the payload file " + quoted(name) +
                                        ", which is not a payload-<id>.blob of the log "
                                        "directory (a path from the record is never followed)");
        }
        auto key = std::make_pair(std::string(directory_path), std::string(name));
        if (const auto found = blobs.find(key); found != blobs.end()) {
            return found->second;
        }
        const int dir = directory(directory_path);
        util::ScopedFd fd(::openat(dir, key.second.c_str(),
                                   O_RDONLY | O_CLOEXEC | O_NOFOLLOW | O_NOCTTY | O_NONBLOCK));
        if (!fd) {
            const int error = errno;
            fault(
                Problem::payload_missing,
                error == ELOOP
                    ? "the payload file " + key.second + " is a symbolic link"
                    : util::Error::from_errno("the payload file " + key.second, error).describe());
        }
        struct stat st {};
        if (::fstat(fd.get(), &st) != 0 || !S_ISREG(st.st_mode)) {
            fault(Problem::payload_missing,
                  "the payload file " + key.second + " is not a regular file");
        }
        (void)::posix_fadvise(fd.get(), 0, 0, POSIX_FADV_SEQUENTIAL); // a hint only
        auto opened = std::make_shared<Blob>(Blob{key.second, std::move(fd)});
        blobs.emplace(std::move(key), opened);
        return opened;
    }

    // Closes payload files no open stream uses, beyond a few kept for the next streams.
    void sweep() {
        if (blobs.size() <= kIdleBlobs) {
            return;
        }
        for (auto it = blobs.begin(); it != blobs.end();) {
            it = it->second.use_count() == 1 ? blobs.erase(it) : std::next(it);
        }
    }

    void missing_bytes(const Blob& blob, std::uint64_t end) {
        fault(Problem::payload_missing,
              "the payload file " + blob.name + " holds " + std::to_string(blob.size()) +
                  " bytes; the record names bytes up to " + std::to_string(end));
    }

    // Hashes `length` bytes of `blob` from `offset`; `hash` null only checks they are there.
    void read(const Blob& blob, std::uint64_t offset, std::uint64_t length, util::Sha256* hash) {
        const std::uint64_t end = offset + length;
        if (hash == nullptr) {
            if (blob.size() < end) {
                missing_bytes(blob, end);
            }
            return;
        }
        if (!buffer) {
            buffer = std::make_unique<char[]>(kReadChunk);
        }
        while (offset < end) {
            const auto want =
                static_cast<std::size_t>(std::min<std::uint64_t>(end - offset, kReadChunk));
            const ssize_t got =
                ::pread(blob.fd.get(), buffer.get(), want, static_cast<off_t>(offset));
            if (got < 0 && errno == EINTR) {
                continue;
            }
            if (got < 0) {
                fault(Problem::payload_missing,
                      util::Error::from_errno("reading the payload file " + blob.name).describe());
            }
            if (got == 0) {
                missing_bytes(blob, end);
            }
            hash->update(buffer.get(), static_cast<std::size_t>(got));
            offset += static_cast<std::uint64_t>(got);
        }
    }

    static void keep(Direction& d, Segment segment) {
        if (segment.length == 0) {
            return;
        }
        if (!d.segments.empty()) {
            Segment& last = d.segments.back();
            if (last.blob == segment.blob &&
                last.file_offset + last.length == segment.file_offset &&
                last.stream_offset + last.length == segment.stream_offset) {
                last.length += segment.length; // the usual case: one stream's runs back to back
                return;
            }
        }
        d.segments.push_back(std::move(segment));
    }

    // The stored pieces of `source` between `offset` and `offset + length`, or nullopt when
    // part of them was stored before the first file verified.
    static std::optional<std::vector<Segment>> pieces(const Direction& source, std::uint64_t offset,
                                                      std::uint64_t length) {
        std::vector<Segment> found;
        if (length == 0) {
            return found;
        }
        auto it = std::upper_bound(
            source.segments.begin(), source.segments.end(), offset,
            [](std::uint64_t at, const Segment& s) { return at < s.stream_offset; });
        if (it == source.segments.begin()) {
            return std::nullopt;
        }
        --it;
        const std::uint64_t end = offset + length;
        for (std::uint64_t at = offset; at < end; ++it) {
            if (it == source.segments.end() || it->stream_offset > at ||
                it->stream_offset + it->length <= at) {
                return std::nullopt;
            }
            const std::uint64_t skip = at - it->stream_offset;
            const std::uint64_t take = std::min(it->length - skip, end - at);
            found.push_back(Segment{at, it->blob, it->file_offset + skip, take});
            at += take;
        }
        return found;
    }

    void payload(const StreamKey& key, const JsonValue* p, const RecordPlace& place,
                 const Place& where) {
        const bool in = direction_in(p, "asocat.payload");
        const std::uint64_t offset = count(p, "offset", "asocat.payload");
        const std::uint64_t length = count(p, "length", "asocat.payload");
        const JsonValue* file = member(p, "file", JsonKind::string);
        const JsonValue* copy_of = member(p, "copy_of", JsonKind::object);
        if ((file == nullptr) == (copy_of == nullptr)) {
            fault(Problem::payload,
                  "a stream.payload names both or neither of a payload file and a copy_of");
        }
        Direction& d = stream(key).side(in);
        d.last = where;
        if (!d.runs_seen && offset != 0 && mid_series) {
            d.unverifiable = true; // its first bytes are in a file before the ones verified
            d.reassembled = offset;
        }
        d.runs_seen = true;
        if (offset != d.reassembled) {
            fault(Problem::payload, describe(key, in) + ": a run at byte " +
                                        std::to_string(offset) + " after " +
                                        std::to_string(d.reassembled) +
                                        " stored bytes (runs follow each other from byte 0)");
        }
        if (d.truncated && offset + length > d.truncated->stored) {
            fault(Problem::payload,
                  describe(key, in) + ": a run up to byte " + std::to_string(offset + length) +
                      " past the truncation after " + std::to_string(d.truncated->stored));
        }
        if (file != nullptr) {
            const std::uint64_t file_offset = count(p, "file_offset", "asocat.payload");
            auto stored = blob(place.directory, file->as_string());
            read(*stored, file_offset, length, d.unverifiable ? nullptr : &d.hash);
            if (d.blob_name.empty()) {
                d.blob_name = stored->name;
            }
            if (in) {
                keep(d, Segment{offset, std::move(stored), file_offset, length});
            }
        } else {
            copy(key, in, d, copy_of, offset, length);
        }
        d.reassembled += length;
    }

    void copy(const StreamKey& key, bool in, Direction& d, const JsonValue* copy_of,
              std::uint64_t offset, std::uint64_t length) {
        const StreamKey source_key{key.session, integer(copy_of, "pid", "asocat.payload.copy_of"),
                                   integer(copy_of, "fd", "asocat.payload.copy_of")};
        if (!direction_in(copy_of, "asocat.payload.copy_of")) {
            fault(Problem::payload, "a copy_of names an outgoing stream (only incoming bytes are "
                                    "copied)");
        }
        const std::uint64_t from = count(copy_of, "offset", "asocat.payload.copy_of");
        const Direction* source = find(source_key, true);
        const std::string names = describe(key, in) + ": a copy of bytes " + std::to_string(from) +
                                  " to " + std::to_string(from + length) + " of " +
                                  describe(source_key, true);
        if (source == nullptr || from + length > source->reassembled) {
            if (source == nullptr && mid_series) {
                d.unverifiable = true; // the source was stored before the files verified
                return;
            }
            fault(Problem::payload,
                  names + (source == nullptr
                               ? std::string(", a stream with no stored bytes open (it ended, or "
                                             "stored none)")
                               : ", of which only " + std::to_string(source->reassembled) +
                                     " were stored before it"));
        }
        auto segments = pieces(*source, from, length);
        if (!segments) {
            if (!source->unverifiable) {
                fault(Problem::payload, names + ", which were not stored");
            }
            d.unverifiable = true;
            return;
        }
        for (auto& segment : *segments) {
            read(*segment.blob, segment.file_offset, segment.length,
                 d.unverifiable ? nullptr : &d.hash);
            if (d.blob_name.empty()) {
                d.blob_name = segment.blob->name;
            }
            if (in) {
                segment.stream_offset = offset + (segment.stream_offset - from);
                keep(d, std::move(segment));
            }
        }
    }

    void truncated(const StreamKey& key, const JsonValue* t, const Place& where) {
        const bool in = direction_in(t, "asocat.truncated");
        const std::uint64_t stored = count(t, "stored", "asocat.truncated");
        const auto sha = text(t, "stored_sha256", "asocat.truncated");
        Direction& d = stream(key).side(in);
        d.last = where;
        if (d.truncated) {
            fault(Problem::payload, describe(key, in) + ": a second stream.truncated");
        }
        if (d.reassembled > stored) {
            fault(Problem::payload, describe(key, in) + ": " + std::to_string(d.reassembled) +
                                        " bytes were stored, the truncation says " +
                                        std::to_string(stored));
        }
        d.truncated = Truncation{stored, std::string(sha)};
    }

    // Compares what was read of one direction with its stream.end; returns a gap, if any.
    std::optional<std::string> ended(const StreamKey& key, bool in, Direction& d,
                                     const JsonValue* end) {
        const std::string what = in ? "asocat.stream.in" : "asocat.stream.out";
        const std::uint64_t bytes = count(end, "bytes", what);
        const JsonValue* sha = member(end, "sha256", JsonKind::string);
        if (mid_series && !d.runs_seen && d.truncated && d.truncated->stored > 0) {
            d.unverifiable = true; // its stored runs were all in a file before the ones verified
        }
        if (d.unverifiable) {
            return std::nullopt;
        }
        const std::string name = describe(key, in);
        if (d.truncated && d.truncated->stored > bytes) {
            fault(Problem::payload,
                  name + ": the truncation says " + std::to_string(d.truncated->stored) +
                      " bytes were stored, stream.end says " + std::to_string(bytes) + " moved");
        }
        const std::uint64_t expected = d.truncated ? d.truncated->stored : bytes;
        if (d.reassembled > expected) {
            fault(Problem::payload, name + ": runs of " + std::to_string(d.reassembled) +
                                        " bytes, where " + std::to_string(expected) +
                                        (d.truncated ? " were stored" : " moved"));
        }
        if (d.reassembled < expected) {
            return name + ": runs of " + std::to_string(d.reassembled) + " of the " +
                   std::to_string(expected) +
                   (d.truncated ? " bytes its truncation says were stored"
                                : " bytes that moved, and no stream.truncated says why") +
                   "; what was stored is not checked";
        }
        if (!d.truncated && sha == nullptr) {
            fault(Problem::payload, name + ": stream.end has no sha256 to check the payload with");
        }
        const std::string digest = util::to_hex(d.hash.finish());
        const std::string_view want =
            d.truncated ? std::string_view(d.truncated->sha256) : sha->as_string();
        if (digest != want) {
            fault(Problem::payload,
                  name + ": the " + std::to_string(expected) + " bytes stored in " +
                      (d.blob_name.empty() ? std::string("the payload file") : d.blob_name) +
                      " have SHA-256 " + digest + ", but " +
                      (d.truncated ? "stream.truncated" : "stream.end") + " says " + quoted(want) +
                      ": the payload was changed");
        }
        return std::nullopt;
    }

    void end(const StreamKey& key, const JsonValue* s, const RecordPlace& place, const Place& where,
             std::vector<Finding>& gaps) {
        const auto found = streams.find(key);
        if (found == streams.end()) {
            return; // nothing stored: digest level, or no byte moved
        }
        for (const bool in : {true, false}) {
            auto& d = in ? found->second.in : found->second.out;
            const JsonValue* side = member(s, in ? "in" : "out", JsonKind::object);
            if (d) {
                if (auto gap = ended(key, in, *d, side)) {
                    gaps.push_back(Finding{Problem::payload_incomplete, std::string(place.file),
                                           place.line, where.seq, place.offset, std::move(*gap)});
                }
            }
        }
        streams.erase(found);
        if (const auto count = open_per_session.find(key.session);
            count != open_per_session.end() && --count->second == 0) {
            open_per_session.erase(count);
        }
        sweep();
    }
};

PayloadCheck::PayloadCheck() : m_state(std::make_unique<State>()) {}
PayloadCheck::~PayloadCheck() = default;

bool PayloadCheck::reads(std::string_view type) {
    return type == "stream.payload" || type == "stream.truncated" || type == "stream.end";
}

bool PayloadCheck::follows(std::string_view session) const {
    return m_state->open_per_session.find(session) != m_state->open_per_session.end();
}

void PayloadCheck::begins_mid_series() {
    m_state->mid_series = true;
}

PayloadVerdict PayloadCheck::feed(const JsonValue& root, const RecordView& view,
                                  const RecordPlace& place) {
    PayloadVerdict verdict;
    try {
        StreamKey key{std::string(text(view.asocat, "session", "asocat")),
                      integer(member(&root, "process", JsonKind::object), "pid", "process"), 0};
        const Place where{std::string(place.file), place.line, view.seq, place.offset};
        if (view.type == "stream.payload") {
            const JsonValue* p = member(view.asocat, "payload", JsonKind::object);
            key.fd = integer(p, "fd", "asocat.payload");
            m_state->payload(key, p, place, where);
        } else if (view.type == "stream.truncated") {
            const JsonValue* t = member(view.asocat, "truncated", JsonKind::object);
            key.fd = integer(t, "fd", "asocat.truncated");
            m_state->truncated(key, t, where);
        } else if (view.type == "stream.end") {
            const JsonValue* s = member(view.asocat, "stream", JsonKind::object);
            key.fd = integer(s, "fd", "asocat.stream");
            m_state->end(key, s, place, where, verdict.gaps);
        }
    } catch (const Fault& f) {
        verdict.tampering = Finding{
            f.problem, std::string(place.file), place.line, view.seq, place.offset, f.detail};
    }
    return verdict;
}

std::vector<Finding> PayloadCheck::unsealed() const {
    std::vector<Finding> gaps;
    for (const auto& [key, stream] : m_state->streams) {
        for (const bool in : {true, false}) {
            const auto& d = in ? stream.in : stream.out;
            if (!d) {
                continue;
            }
            gaps.push_back(Finding{Problem::payload_unsealed, d->last.file, d->last.line,
                                   d->last.seq, d->last.offset,
                                   "session " + key.session + " " + describe(key, in) + ": " +
                                       std::to_string(d->reassembled) +
                                       " bytes stored, and no stream.end gives their digest "
                                       "(the session is still running, or its capture stopped)"});
        }
    }
    return gaps;
}

} // namespace asocat::evidence
