#include <catch2/catch.hpp>
#include <memory>
#include <string>
#include <vector>

#include "capture/hash_pipeline.hpp"
#include "util/sha256.hpp"

using asocat::capture::HashPipeline;
using asocat::util::Sha256;
using asocat::util::to_hex;

namespace {

std::string piece(std::size_t stream, std::size_t index) {
    std::string bytes(1 + (stream * 131 + index * 977) % 9000, '\0');
    for (std::size_t i = 0; i < bytes.size(); ++i) {
        bytes[i] = static_cast<char>(stream * 31 + index * 7 + i);
    }
    return bytes;
}

std::string hex_of(const std::string& bytes) {
    return to_hex(asocat::util::sha256(bytes));
}

} // namespace

TEST_CASE("queued updates are applied in order, per state, with the state before each saved",
          "[capture]") {
    for (const bool threaded : {false, true}) {
        CAPTURE(threaded);
        HashPipeline pipeline(threaded);
        constexpr std::size_t kStreams = 3;
        constexpr std::size_t kPieces = 200; // far more than the pipeline queues at once
        std::vector<Sha256> states(kStreams);
        std::vector<Sha256> before(kStreams);
        std::vector<std::string> all(kStreams);
        std::vector<std::string> all_but_last(kStreams);
        for (std::size_t index = 0; index < kPieces; ++index) {
            for (std::size_t stream = 0; stream < kStreams; ++stream) {
                const std::string bytes = piece(stream, index);
                all_but_last[stream] = all[stream];
                all[stream] += bytes;
                // The pipeline copies: the caller's buffer may change at once.
                std::string scratch = bytes;
                pipeline.update(states[stream], scratch, stream == 1 ? &before[stream] : nullptr);
                scratch.assign(scratch.size(), 'x');
            }
        }
        pipeline.settle();
        for (std::size_t stream = 0; stream < kStreams; ++stream) {
            CHECK(to_hex(states[stream].clone().finish()) == hex_of(all[stream]));
        }
        CHECK(to_hex(before[1].finish()) == hex_of(all_but_last[1]));
    }
}

TEST_CASE("settle after an idle spell applies the few updates queued since", "[capture]") {
    HashPipeline pipeline(true);
    Sha256 state;
    std::string all = piece(2, 0);
    pipeline.update(state, all);
    pipeline.settle(); // the worker has applied it and waits again
    for (std::size_t index = 1; index < 4; ++index) {
        all += piece(2, index);
        pipeline.update(state, piece(2, index));
    }
    pipeline.settle(); // a worker that was not woken would leave these unapplied, or hang
    CHECK(to_hex(state.clone().finish()) == hex_of(all));
}

TEST_CASE("a pipeline ends by applying what it still holds", "[capture]") {
    Sha256 state;
    std::string all;
    {
        HashPipeline pipeline(true);
        for (std::size_t index = 0; index < 100; ++index) {
            const std::string bytes = piece(7, index);
            all += bytes;
            pipeline.update(state, bytes);
        }
    } // no settle(): the destructor must not drop queued updates
    CHECK(to_hex(state.finish()) == hex_of(all));
}

TEST_CASE("copy_state forks a computation into an existing hasher", "[util]") {
    Sha256 a;
    a.update("abc");
    Sha256 b;
    b.update("unrelated");
    b.copy_state(a);
    b.update("def");
    a.update("xyz");
    CHECK(to_hex(b.finish()) == hex_of("abcdef"));
    CHECK(to_hex(a.finish()) == hex_of("abcxyz"));
}
