// libFuzzer target for the whole verifier: the input is a log file. Whatever it holds, verify
// must end with an outcome (never crash, hang or trip a sanitizer), and must never call
// "complete" a log whose checkpoints no one could have signed: the pinned key's private half
// is thrown away at start-up, so no input can carry a valid signature.
#include <unistd.h>

#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <string>
#include <sys/mman.h>

#include "evidence/verifier.hpp"
#include "util/scoped_fd.hpp"

namespace {

using namespace asocat::evidence;

const PinnedKey& pinned() {
    static const PinnedKey key = [] {
        auto generated = Ed25519Key::generate();
        if (!generated) {
            std::abort();
        }
        auto public_only = Ed25519Key::from_public(generated->public_key());
        if (!public_only) {
            std::abort();
        }
        return PinnedKey::from_key(std::move(*public_only));
    }();
    return key;
}

} // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
    asocat::util::ScopedFd fd(::memfd_create("fuzz-log", MFD_CLOEXEC));
    if (!fd || ::write(fd.get(), data, size) != static_cast<ssize_t>(size)) {
        std::abort();
    }
    const std::string path = "/proc/self/fd/" + std::to_string(fd.get());
    const auto report = verify_logs({path}, pinned(), nullptr);
    if (report.outcome == Outcome::complete && report.checkpoints > 0) {
        std::abort(); // a checkpoint verified against a key nobody holds
    }
    if (report.outcome == Outcome::tampered && !report.tampering) {
        std::abort();
    }
    return 0;
}
