// libFuzzer target for the verifier's fast path. The canonical record scanner may decline
// anything, but whatever it accepts the full path (strict parse, byte-exact canonical
// re-serialisation, layout check) must accept too, with the same chain fields: otherwise a
// tampered line could pass verification by the fast path alone.
#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <string_view>

#include "evidence/record_scanner.hpp"
#include "evidence/record_schema.hpp"
#include "evidence/record_view.hpp"
#include "record/json_reader.hpp"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
    using namespace asocat;
    const std::string_view line(reinterpret_cast<const char*>(data), size);
    const auto scanned = evidence::scan_canonical_record(line);
    if (!scanned) {
        return 0;
    }
    static record::JsonDocument document; // reused: only its buffers persist between inputs
    const auto parsed = document.parse(line);
    if (!parsed || record::serialize_canonical(parsed.root()) != line) {
        std::abort(); // accepted a line that is not canonical JSON
    }
    const auto view = evidence::view_record(parsed.root());
    if (!view || !evidence::check_record_shape(parsed.root(), view->type).empty()) {
        std::abort(); // accepted a line that is not laid out as its type requires
    }
    const auto* session = view->asocat->find("session");
    const std::string_view session_id = session != nullptr ? session->as_string() : "";
    if (scanned->log != view->log || scanned->seq != view->seq || scanned->prev != view->prev ||
        scanned->type != view->type || scanned->session != session_id) {
        std::abort(); // read different chain fields than the full path
    }
    return 0;
}
