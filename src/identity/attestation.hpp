// The attested tier of a session's identity: the token found (identity/token_source), verified
// with the keys of the configured issuer it names (identity/jwks_source, identity/jwt), then
// held to the kernel facts it is bound to, so that a token copied from elsewhere does not
// vouch for this session. And the ticket the session is done under, held to its pattern.
#pragma once

#include <cstdint>
#include <optional>
#include <string>

#include "config/environment.hpp"
#include "config/settings.hpp"
#include "session/attested_identity.hpp"
#include "session/kernel_identity.hpp"

namespace asocat::identity {

struct AttestationContext {
    const config::Settings& settings;
    const config::Environment& env;
    bool privileged = false;
    const session::KernelIdentity& kernel;
    std::string host;
    std::int64_t now_ms = 0; // wall clock
};

// nullopt when no token source is configured or present and none is required.
std::optional<session::AttestedIdentity> attest(const AttestationContext& context);

// The ticket from AUDITED_SOCAT_TICKET (also when privileged) or ticket.id; nullopt if none.
// With ticket.approval_issuer, the value given is an approval token from that issuer, and the
// ticket is the claim it names (ticket.approval_claim), once the token is verified.
std::optional<session::Ticket> find_ticket(const AttestationContext& context);

// Why the session may not start for want of identity, or nullopt: a required attestation that
// is not verified, a required ticket that is missing or does not match its pattern.
std::optional<std::string>
identity_refusal(const config::Settings& settings,
                 const std::optional<session::AttestedIdentity>& attested,
                 const std::optional<session::Ticket>& ticket);

} // namespace asocat::identity
