// libFuzzer target for the strict JSON reader: no input may crash it or trip a sanitizer, an
// error must point into the text (or just past its end), and canonical serialisation must be a
// fixed point: what it writes parses and writes back identically. One document parses the
// whole input, its canonical form, then each LF-separated line, as the verifier reuses one.
//
// Built and run by scripts/fuzz; replayed over its corpus by CTest (fuzz_replay_json_reader).
#include <algorithm>
#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <string>
#include <string_view>

#include "record/json_reader.hpp"

namespace {

using asocat::record::JsonDocument;
using asocat::record::JsonErrorKind;
using asocat::record::JsonParseResult;
using asocat::record::serialize_canonical;

void check_one_text(JsonDocument& document, std::string_view text) {
    const JsonParseResult result = document.parse(text);
    if (!result) {
        if (result.error().offset > text.size() &&
            result.error().kind != JsonErrorKind::too_large) {
            std::abort();
        }
        return;
    }
    const std::string canonical = serialize_canonical(result.root());
    const JsonParseResult reparsed = document.parse(canonical);
    if (!reparsed || serialize_canonical(reparsed.root()) != canonical) {
        std::abort();
    }
}

} // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
    const std::string_view input(reinterpret_cast<const char*>(data), size);
    JsonDocument document;
    check_one_text(document, input);
    for (std::size_t start = 0; start < input.size();) {
        const std::size_t end = std::min(input.find('\n', start), input.size());
        if (start == 0 && end == input.size()) {
            break; // a single line: already checked
        }
        check_one_text(document, input.substr(start, end - start));
        start = end + 1;
    }
    return 0;
}
