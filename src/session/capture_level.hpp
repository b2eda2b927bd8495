// The names of the capture levels (DESIGN.md section 9: AUDITED_SOCAT_CAPTURE and the config key
// `capture`), one table shared by the settings that read them and the records that write them.
#pragma once

#include <optional>
#include <string_view>

#include "session/capture_events.hpp"

namespace asocat::session {

// "off", "meta", "digest" or "full" (exactly, lower case); nullopt for anything else.
std::optional<CaptureLevel> parse_capture_level(std::string_view name);

// The name parse_capture_level accepts for `level`.
std::string_view capture_level_name(CaptureLevel level);

// "off, meta, digest, full": the accepted names in order, for error messages.
std::string_view capture_level_names();

} // namespace asocat::session
