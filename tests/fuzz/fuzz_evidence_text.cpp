// libFuzzer target for the text formats a verifier reads from untrusted places: checkpoint
// bodies, signed notes (against a fixed pinned key) and tlog proofs. Nothing may crash or trip
// a sanitizer, and whatever parses must re-encode to a form that parses the same.
#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <string>
#include <string_view>

#include "evidence/checkpoint.hpp"
#include "evidence/inclusion.hpp"
#include "evidence/signed_note.hpp"

namespace {

using namespace asocat::evidence;

const PinnedKey& pinned() {
    // A fixed public key: the fuzzer explores parsing, not Ed25519 itself.
    static const PinnedKey key = [] {
        PublicKeyBytes raw{};
        for (std::size_t i = 0; i < raw.size(); ++i) {
            raw[i] = static_cast<std::uint8_t>(i * 7 + 1);
        }
        auto ed = Ed25519Key::from_public(raw);
        if (!ed) {
            std::abort();
        }
        return PinnedKey::from_key(std::move(*ed));
    }();
    return key;
}

} // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
    const std::string_view text(reinterpret_cast<const char*>(data), size);

    if (auto checkpoint = parse_checkpoint(text)) {
        auto again = parse_checkpoint(checkpoint->body());
        if (!again || again->origin != checkpoint->origin || again->size != checkpoint->size ||
            again->root != checkpoint->root || again->extensions != checkpoint->extensions) {
            std::abort();
        }
    }

    const auto opened = open_note(text, pinned());
    if (opened.verdict == NoteVerdict::verified) {
        std::abort(); // nobody holds the private half of this key
    }
    if (opened.verdict != NoteVerdict::malformed && opened.text.size() > text.size()) {
        std::abort();
    }

    if (auto proof = decode_proof(text)) {
        auto again = decode_proof(encode_proof(*proof));
        if (!again || again->index != proof->index || again->record != proof->record ||
            again->path != proof->path || again->checkpoint != proof->checkpoint) {
            std::abort();
        }
        (void)check_inclusion(*proof, pinned());
    }
    return 0;
}
