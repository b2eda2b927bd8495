// session.start and session.end records (field by field in man/audited-socat-records.7).
#pragma once

#include <string>

#include "session/session_facts.hpp"

namespace asocat::record {

// Version of the record layout; bumped when a field changes meaning or order.
inline constexpr int kRecordFormat = 1;
inline constexpr const char* kEcsVersion = "8.11.0";

std::string session_start_line(const session::SessionStart& start);
std::string session_end_line(const session::SessionEnd& end);

} // namespace asocat::record
