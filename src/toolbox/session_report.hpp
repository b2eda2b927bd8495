// `socat-audit show`'s text: one session in detail, or one line per session. Everything taken
// from a log is made terminal-safe first: a log holds argv and paths an attacker may have chosen,
// and must not be able to send escape sequences to the auditor's terminal.
#pragma once

#include <string>
#include <string_view>
#include <vector>

#include "toolbox/log_sessions.hpp"

namespace asocat::toolbox {

// The session in detail: who, when, what socat ran, its processes, connections and streams, and
// how it ended. Lines end with '\n'.
std::string describe_session(const ShownSession& session);

// One line (no '\n'): id, start, user, duration, how it ended, socat's command line.
std::string session_line(const ShownSession& session);

// `text` with C0 and C1 control characters and DEL as \xNN and Unicode bidirectional
// controls as \u{NNNN}; everything else as it is (`text` is UTF-8: the strict reader made sure).
std::string printable(std::string_view text);

// argv as a shell would need it typed: words with nothing special bare, others single-quoted.
std::string shell_words(const std::vector<std::string>& args);

} // namespace asocat::toolbox
