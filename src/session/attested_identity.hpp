// Who a cryptographic attestation says is running us (the `attested` trust tier in SECURITY.md):
// an identity token verified against its issuer's keys, and the ticket or approval the session
// is done under. Plain data; identity/attestation.* fills it, record/session_records.* writes it.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

namespace asocat::session {

enum class AttestationStatus {
    verified,    // the token's signature, issuer, audience and times all check out
    rejected,    // a token was found and refused; `reason` says why
    unavailable, // no token could be had (none configured, a fetch failed); `reason` says why
};

// One binding of the token to this machine: claim `claim` must equal the kernel fact `fact`.
struct BindingCheck {
    std::string fact;                  // "uid", "user", "loginuid", "sessionid", "host", ...
    std::string claim;                 // the claim compared with it
    std::optional<std::string> actual; // the fact's value here; nullopt when unset (loginuid)
    bool matched = false;
};

struct AttestedIdentity {
    AttestationStatus status = AttestationStatus::unavailable;
    std::string source;                      // "environment", "file", "github-actions"
    std::optional<std::string> location;     // the variable, file or URL it came from
    std::optional<std::string> reason;       // keyword (identity/jwt.hpp, or one of attestation's)
    std::optional<std::string> detail;       // a sentence for people
    std::optional<std::string> token_sha256; // whenever a token was read; never the token
    // What a verified token says (set only when status is verified).
    std::string issuer;
    std::optional<std::string> subject;
    std::string audience;
    std::string algorithm;
    std::optional<std::string> kid;
    std::int64_t expires = 0;
    std::optional<std::int64_t> issued_at;
    std::optional<bool> mfa;
    std::vector<std::string> amr;
    std::optional<std::string> acr;
    std::string claims; // canonical JSON object
    std::vector<BindingCheck> binding;
};

// A ticket or approval id: what was given, where, and whether it has the configured form.
struct Ticket {
    std::string id; // cut to 256 bytes
    bool truncated = false;
    std::string source; // "environment" or "config"
    std::optional<std::string> pattern;
    std::optional<bool> matches; // nullopt when no pattern is configured
    // When tickets are approval tokens: the token's fate, as an attestation.
    std::optional<AttestedIdentity> approval;
};

} // namespace asocat::session
