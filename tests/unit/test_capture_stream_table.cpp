#include <catch2/catch.hpp>
#include <string>

#include "capture/stream_table.hpp"
#include "util/sha256.hpp"

using asocat::capture::DescriptorKind;
using asocat::capture::PayloadCollector;
using asocat::capture::PayloadLimits;
using asocat::capture::StreamTable;
using asocat::session::StreamEndReason;

namespace {

std::string hex(std::string_view bytes) {
    return asocat::util::to_hex(asocat::util::sha256(bytes));
}

std::string chunk(char seed, std::size_t size) {
    std::string bytes(size, '\0');
    for (std::size_t i = 0; i < size; ++i) {
        bytes[i] = static_cast<char>(seed + static_cast<char>(i * 7));
    }
    return bytes;
}

// A relay in one process: reads from fd 3, writes the same bytes to fd 4 (in pieces), and
// the other way round with its own bytes.
struct Relay {
    StreamTable table;
    explicit Relay(std::optional<PayloadLimits> payload = std::nullopt)
        : table("s", true, payload) {}
    StreamTable::Stream& stream(int fd) { return table.open(100, fd, DescriptorKind{}); }
};

} // namespace

TEST_CASE("a relay's outgoing stream mirrors the incoming one and gets the same digest",
          "[capture]") {
    Relay relay;
    std::string all;
    for (int i = 0; i < 5; ++i) {
        const auto piece = chunk(static_cast<char>('a' + i), 8192 - static_cast<std::size_t>(i));
        all += piece;
        relay.table.moved(relay.stream(3), true, piece);
        // A partial write, then the rest: still a copy.
        relay.table.moved(relay.stream(4), false, std::string_view(piece).substr(0, 1000));
        relay.table.moved(relay.stream(4), false, std::string_view(piece).substr(1000));
    }
    CHECK(relay.stream(4).mirror_of.has_value());
    const auto out = relay.table.end(100, 4, StreamEndReason::close);
    const auto in = relay.table.end(100, 3, StreamEndReason::close);
    REQUIRE(out);
    REQUIRE(in);
    CHECK(in->in.sha256 == hex(all));
    CHECK(out->out.sha256 == hex(all));
    CHECK(out->out.bytes == all.size());
}

TEST_CASE("a mirror that stops copying or lags still gets the digest of what it sent",
          "[capture]") {
    const auto first = chunk('x', 4000);
    const auto second = chunk('y', 3000);
    SECTION("it writes something else") {
        Relay relay;
        relay.table.moved(relay.stream(3), true, first);
        relay.table.moved(relay.stream(4), false, std::string_view(first).substr(0, 1500));
        relay.table.moved(relay.stream(4), false, "not a copy");
        const auto out = relay.table.end(100, 4, StreamEndReason::close);
        CHECK(out->out.sha256 == hex(first.substr(0, 1500) + "not a copy"));
    }
    SECTION("the source reads again before the mirror caught up") {
        Relay relay;
        relay.table.moved(relay.stream(3), true, first);
        relay.table.moved(relay.stream(4), false, std::string_view(first).substr(0, 100));
        relay.table.moved(relay.stream(3), true, second);
        relay.table.moved(relay.stream(4), false, std::string_view(first).substr(100));
        const auto out = relay.table.end(100, 4, StreamEndReason::close);
        CHECK(out->out.sha256 == hex(first));
    }
    SECTION("the source ends first") {
        Relay relay;
        relay.table.moved(relay.stream(3), true, first);
        relay.table.moved(relay.stream(4), false, std::string_view(first).substr(0, 10));
        const auto in = relay.table.end(100, 3, StreamEndReason::close);
        relay.table.moved(relay.stream(4), false, "tail");
        const auto out = relay.table.end(100, 4, StreamEndReason::close);
        CHECK(in->in.sha256 == hex(first));
        CHECK(out->out.sha256 == hex(first.substr(0, 10) + "tail"));
    }
}

TEST_CASE("full capture stores a relay's bytes once and a copy record for the other side",
          "[capture]") {
    Relay relay(PayloadLimits{});
    const auto piece = chunk('p', 5000);
    relay.table.moved(relay.stream(3), true, piece);
    relay.table.moved(relay.stream(4), false, piece);
    (void)relay.table.end(100, 4, StreamEndReason::close);
    (void)relay.table.end(100, 3, StreamEndReason::close);
    const auto runs = relay.table.take_payload(true);
    REQUIRE(runs.size() == 2);
    CHECK(runs[0].key == PayloadCollector::Key{100, 3}); // the bytes come before their copy
    CHECK(runs[0].bytes == piece);
    CHECK(runs[1].key == PayloadCollector::Key{100, 4});
    CHECK(runs[1].bytes.empty());
    CHECK(runs[1].copy_length == piece.size());
    CHECK(runs[1].copy_of == PayloadCollector::Key{100, 3});
}

TEST_CASE("a payload limit stops storing, records the digest of what was stored, and the "
          "stream digest goes on",
          "[capture]") {
    Relay relay(PayloadLimits{6000, 1ull << 30});
    const auto first = chunk('a', 4000);
    const auto second = chunk('b', 4000);
    relay.table.moved(relay.stream(3), true, first);
    relay.table.moved(relay.stream(3), true, second);
    const auto truncations = relay.table.take_truncations();
    REQUIRE(truncations.size() == 1);
    CHECK(truncations[0].stored == 4000);
    CHECK(truncations[0].stored_sha256 == hex(first));
    CHECK(truncations[0].reason == "stream-limit");
    const auto in = relay.table.end(100, 3, StreamEndReason::close);
    CHECK(in->in.sha256 == hex(first + second));
    const auto runs = relay.table.take_payload(true);
    REQUIRE(runs.size() == 1);
    CHECK(runs[0].bytes == first);
}

TEST_CASE("full capture asks for its ready runs to be stored once 1 MiB waits, not later",
          "[capture]") {
    Relay relay(PayloadLimits{});
    const auto piece = chunk('r', 8192);
    std::size_t moved = 0;
    // Runs of 256 KiB become ready as the stream grows; none is due before four of them.
    while (!relay.table.payload_due()) {
        relay.table.moved(relay.stream(3), true, piece);
        moved += piece.size();
        REQUIRE(moved <= 2 * 1024 * 1024);
    }
    CHECK(moved == 4 * 256 * 1024);
    const auto runs = relay.table.take_payload(false);
    REQUIRE(runs.size() == 4);
    CHECK(runs[3].stream_offset == 3 * 256 * 1024);
    CHECK_FALSE(relay.table.payload_due());   // taken: nothing waits
    CHECK_FALSE(Relay().table.payload_due()); // digest only: never
}

TEST_CASE("a stored run's buffer is reused by the next run, not mapped afresh", "[capture]") {
    Relay relay(PayloadLimits{});
    const auto piece = chunk('u', 8192);
    while (!relay.table.payload_due()) {
        relay.table.moved(relay.stream(3), true, piece);
    }
    auto runs = relay.table.take_payload(false);
    REQUIRE(runs.size() == 4);
    const char* const reused = runs[0].bytes.data();
    relay.table.recycle_payload(std::move(runs[0].bytes));
    const auto other = chunk('v', 100);
    relay.table.moved(relay.stream(5), true, other);
    (void)relay.table.end(100, 5, StreamEndReason::close);
    const auto next = relay.table.take_payload(false);
    REQUIRE(next.size() == 1);
    CHECK(next[0].bytes == other);         // no byte of the old run left in it
    CHECK(next[0].bytes.data() == reused); // the same memory
}
