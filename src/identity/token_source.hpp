// Finding the identity token of this run, in order: AUDITED_SOCAT_IDENTITY_TOKEN, the variable
// named by identity.token_env (a GitLab id_tokens variable, say),
// AUDITED_SOCAT_IDENTITY_TOKEN_FILE, identity.token_file, and a token requested from GitHub Actions
// (ACTIONS_ID_TOKEN_REQUEST_URL and _TOKEN, for identity.github_audience). The AUDITED_SOCAT_*
// variables and the GitHub request are not used in a privileged run: its invoking user controls the
// environment.
#pragma once

#include <optional>
#include <string>
#include <variant>

#include "config/environment.hpp"
#include "config/identity_config.hpp"

namespace asocat::identity {

struct FoundToken {
    std::string text;
    std::string source;   // "environment", "file", "github-actions"
    std::string location; // the variable, the file, the URL without its query
};

// A source that was there but gave no token: why.
struct TokenProblem {
    std::string source;
    std::string location;
    std::string reason; // "token-unreadable", "token-fetch-failed"
    std::string detail;
};

// nullopt (as monostate): no source is configured or present.
using TokenSearch = std::variant<std::monostate, FoundToken, TokenProblem>;

TokenSearch find_token(const config::IdentityValues& config, const config::Environment& env,
                       bool privileged, std::int64_t timeout_ms);

} // namespace asocat::identity
