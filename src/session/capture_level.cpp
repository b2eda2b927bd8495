#include "session/capture_level.hpp"

#include <array>
#include <utility>

namespace asocat::session {
namespace {

constexpr std::array<std::pair<CaptureLevel, std::string_view>, 4> kNames = {{
    {CaptureLevel::off, "off"},
    {CaptureLevel::meta, "meta"},
    {CaptureLevel::digest, "digest"},
    {CaptureLevel::full, "full"},
}};

} // namespace

std::optional<CaptureLevel> parse_capture_level(std::string_view name) {
    for (const auto& [level, level_name] : kNames) {
        if (name == level_name) {
            return level;
        }
    }
    return std::nullopt;
}

std::string_view capture_level_name(CaptureLevel level) {
    if (level == CaptureLevel::enclosed) {
        return "enclosed"; // recorded, never accepted as a setting
    }
    for (const auto& [known, name] : kNames) {
        if (known == level) {
            return name;
        }
    }
    return "unknown";
}

std::string_view capture_level_names() {
    return "off, meta, digest, full";
}

} // namespace asocat::session
