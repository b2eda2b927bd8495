// The [identity] and [ticket] tables of the configuration (man audited-socat(1), IDENTITY):
// which identity tokens are accepted from which issuers, where a token is found, whether one is
// required, and the form a ticket id must have.
#pragma once

#include <array>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

namespace asocat::config {

// Kernel facts a token can be bound to (BindingCheck::fact).
inline constexpr std::array<std::string_view, 6> kBindableFacts = {
    "uid", "user", "loginuid", "sessionid", "host", "machine_id"};

// One accepted issuer ([[identity.oidc]]).
struct OidcIssuer {
    std::string issuer;                 // "iss", exactly
    std::vector<std::string> audiences; // "aud" must name one of these
    std::string jwks;                   // an absolute path, or an https:// URL
    std::int64_t jwks_ttl_ms = 3'600'000;
    std::vector<std::string> mfa_acr; // "acr" values that mean multi-factor
    // Kernel fact -> claim that must equal it, by fact name (TOML tables are unordered).
    std::vector<std::pair<std::string, std::string>> bind;
    std::string defined_at; // FILE:LINE:COLUMN, for messages
};

struct IdentityValues {
    std::optional<bool> require_attested;
    std::optional<std::int64_t> leeway_ms;
    std::optional<std::string> token_env;       // a variable holding a token (GitLab id_tokens)
    std::optional<std::string> token_file;      // a file holding a token
    std::optional<std::string> github_audience; // request a token from GitHub Actions
    std::optional<std::int64_t> fetch_timeout_ms;
    std::vector<OidcIssuer> oidc;
};

struct TicketValues {
    std::optional<std::string> pattern; // ECMAScript regular expression the whole id matches
    std::optional<bool> required;
    std::optional<std::string> id; // a fixed ticket (a CI job's approval, say)
    // Tickets are approval tokens from this [[identity.oidc]] issuer, naming the ticket in
    // claim approval_claim (default "ticket").
    std::optional<std::string> approval_issuer;
    std::optional<std::string> approval_claim;
};

// Whether `url` is one a JWKS may be fetched from: https://, or http:// to a loopback address
// (127.0.0.0/8, [::1], localhost). Empty when it is; otherwise what is wrong.
std::string unacceptable_url(const std::string& url);

} // namespace asocat::config
