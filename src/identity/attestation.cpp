#include "identity/attestation.hpp"

#include <unistd.h>

#include <algorithm>
#include <iterator>
#include <regex>

#include "identity/jwks_source.hpp"
#include "identity/jwt.hpp"
#include "identity/token_source.hpp"
#include "record/json_reader.hpp"
#include "util/sha256.hpp"

namespace asocat::identity {
namespace {

constexpr std::int64_t kDefaultLeewayMs = 60'000;
constexpr std::int64_t kDefaultFetchTimeoutMs = 5'000;
constexpr std::size_t kMaxTicket = 256;

session::AttestedIdentity unavailable(std::string source, std::optional<std::string> location,
                                      std::string reason, std::string detail) {
    session::AttestedIdentity attested;
    attested.status = session::AttestationStatus::unavailable;
    attested.source = std::move(source);
    attested.location = std::move(location);
    attested.reason = std::move(reason);
    attested.detail = std::move(detail);
    return attested;
}

void reject(session::AttestedIdentity& attested, std::string reason, std::string detail) {
    attested.status = session::AttestationStatus::rejected;
    attested.reason = std::move(reason);
    attested.detail = std::move(detail);
}

std::optional<std::string> kernel_fact(const AttestationContext& context, const std::string& fact) {
    const auto& k = context.kernel;
    const auto number = [](std::optional<std::uint32_t> value) {
        return value ? std::optional(std::to_string(*value)) : std::nullopt;
    };
    if (fact == "uid") {
        return std::to_string(k.uid.id);
    }
    if (fact == "user") {
        return k.uid.name;
    }
    if (fact == "loginuid") {
        return number(k.loginuid);
    }
    if (fact == "sessionid") {
        return number(k.audit_session);
    }
    if (fact == "host") {
        return context.host;
    }
    return k.machine_id; // "machine_id": the config accepts no other fact
}

// A claim as text for comparison with a fact: strings as they are, integers in decimal.
std::optional<std::string> claim_text(const record::JsonValue& claims, const std::string& name) {
    const record::JsonValue* value = claims.find(name);
    if (value == nullptr) {
        return std::nullopt;
    }
    if (value->kind() == record::JsonKind::string) {
        return std::string(value->as_string());
    }
    if (value->kind() == record::JsonKind::integer) {
        return std::to_string(value->as_integer());
    }
    return std::nullopt;
}

void check_binding(const AttestationContext& context, const config::OidcIssuer& issuer,
                   session::AttestedIdentity& attested) {
    if (issuer.bind.empty()) {
        return;
    }
    record::JsonDocument document;
    const auto parsed = document.parse(attested.claims);
    std::string failures;
    for (const auto& [fact, claim] : issuer.bind) {
        session::BindingCheck check{fact, claim, kernel_fact(context, fact), false};
        const auto claimed = parsed ? claim_text(parsed.root(), claim) : std::nullopt;
        check.matched = check.actual && claimed && *check.actual == *claimed;
        if (!check.matched) {
            failures += (failures.empty() ? "" : "; ") + fact + " " +
                        (check.actual ? "is " + *check.actual : std::string("is unset")) +
                        " but claim \"" + claim + "\" " +
                        (claimed ? "says " + *claimed : std::string("is missing"));
        }
        attested.binding.push_back(std::move(check));
    }
    if (!failures.empty()) {
        reject(attested, "binding-mismatch", "the token is not bound to this session: " + failures);
    }
}

void take_verified(session::AttestedIdentity& attested, VerifiedToken verified) {
    attested.status = session::AttestationStatus::verified;
    attested.issuer = std::move(verified.issuer);
    attested.subject = std::move(verified.subject);
    attested.audience = std::move(verified.audience);
    attested.algorithm = std::string(algorithm_name(verified.algorithm));
    attested.kid = std::move(verified.kid);
    attested.expires = verified.expires;
    attested.issued_at = verified.issued_at;
    attested.mfa = verified.mfa;
    attested.amr = std::move(verified.amr);
    attested.acr = std::move(verified.acr);
    attested.claims = std::move(verified.claims);
}

// `token` verified with the keys of the one of `issuers` it names, and held to its bindings.
session::AttestedIdentity verify_found(const AttestationContext& context, const FoundToken& token,
                                       const std::vector<config::OidcIssuer>& issuers) {
    const std::int64_t timeout =
        context.settings.identity.fetch_timeout_ms.value_or(kDefaultFetchTimeoutMs);
    session::AttestedIdentity attested;
    attested.source = token.source;
    attested.location = token.location;
    attested.token_sha256 = util::to_hex(util::sha256(token.text));

    TokenPolicy policy;
    policy.now = context.now_ms / 1000;
    policy.leeway_seconds = context.settings.identity.leeway_ms.value_or(kDefaultLeewayMs) / 1000;
    const auto claimed_issuer = unverified_issuer(token.text, policy.max_bytes);
    const auto issuer =
        std::find_if(issuers.begin(), issuers.end(), [&](const config::OidcIssuer& candidate) {
            return claimed_issuer && candidate.issuer == *claimed_issuer;
        });
    if (issuer == issuers.end()) {
        // No keys to check it with: verify_token against an empty set says what is wrong with
        // the token itself (too large, malformed, alg none/HMAC) before the issuer.
        policy.issuers.clear();
        for (const auto& known : issuers) {
            policy.issuers.push_back(known.issuer);
        }
        const auto result = verify_token(token.text, JwkSet{}, policy);
        const auto& bad = std::get<TokenRejection>(result);
        if (bad.reason == "unknown-kid" || bad.reason == "no-key") {
            reject(attested, "wrong-issuer",
                   claimed_issuer ? "no [[identity.oidc]] accepts issuer " + *claimed_issuer
                                  : "the token names no issuer");
        } else {
            reject(attested, bad.reason, bad.detail);
        }
        return attested;
    }
    policy.issuers = {issuer->issuer};
    policy.audiences = issuer->audiences;
    policy.mfa_acr_values = issuer->mfa_acr;
    JwksSource keys(*issuer, JwksOrigin{context.settings.cache_dir, util::TrustPolicy{::geteuid()},
                                        timeout, context.now_ms});
    for (bool refresh = false;; refresh = true) {
        auto set = keys.load(refresh);
        if (!set) {
            attested.status = session::AttestationStatus::unavailable;
            attested.reason = "jwks-unavailable";
            attested.detail = set.error().describe();
            return attested;
        }
        auto result = verify_token(token.text, *set, policy);
        if (auto* verified = std::get_if<VerifiedToken>(&result)) {
            take_verified(attested, std::move(*verified));
            check_binding(context, *issuer, attested);
            return attested;
        }
        const auto& bad = std::get<TokenRejection>(result);
        if (bad.reason == "unknown-kid" && keys.can_refresh()) {
            continue; // the issuer may have rotated its keys since the set was cached
        }
        reject(attested, bad.reason, bad.detail);
        return attested;
    }
}

} // namespace

std::optional<session::AttestedIdentity> attest(const AttestationContext& context) {
    const auto& config = context.settings.identity;
    const bool required = config.require_attested.value_or(false);
    const std::int64_t timeout = config.fetch_timeout_ms.value_or(kDefaultFetchTimeoutMs);
    const auto search = find_token(config, context.env, context.privileged, timeout);
    if (std::holds_alternative<std::monostate>(search)) {
        if (!required) {
            return std::nullopt;
        }
        return unavailable("none", std::nullopt, "no-token",
                           "an identity token is required and none was given (set " +
                               std::string(config::kEnvIdentityToken) + " or configure a source)");
    }
    if (const auto* problem = std::get_if<TokenProblem>(&search)) {
        return unavailable(problem->source, problem->location, problem->reason, problem->detail);
    }
    return verify_found(context, std::get<FoundToken>(search), context.settings.identity.oidc);
}

std::optional<session::Ticket> find_ticket(const AttestationContext& context) {
    const auto& config = context.settings.ticket;
    session::Ticket ticket;
    if (auto given = context.env.get(config::kEnvTicket)) {
        ticket.id = std::move(*given);
        ticket.source = "environment";
    } else if (config.id) {
        ticket.id = *config.id;
        ticket.source = "config";
    } else {
        return std::nullopt;
    }
    if (config.approval_issuer) {
        // The ticket is an approval token: what it approves is its claim, once verified; the
        // token itself is recorded only by its hash.
        const auto& all = context.settings.identity.oidc;
        std::vector<config::OidcIssuer> approvers;
        std::copy_if(all.begin(), all.end(), std::back_inserter(approvers),
                     [&](const config::OidcIssuer& issuer) {
                         return issuer.issuer == *config.approval_issuer;
                     });
        const std::string location =
            ticket.source == "environment" ? config::kEnvTicket : "ticket.id";
        ticket.approval =
            verify_found(context, FoundToken{ticket.id, ticket.source, location}, approvers);
        ticket.id.clear();
        if (ticket.approval->status == session::AttestationStatus::verified) {
            record::JsonDocument document;
            const auto parsed = document.parse(ticket.approval->claims);
            const auto claim = config.approval_claim.value_or("ticket");
            if (auto id = parsed ? claim_text(parsed.root(), claim) : std::nullopt) {
                ticket.id = std::move(*id);
            } else {
                reject(*ticket.approval, "missing-claim",
                       "the approval token has no \"" + claim + "\" naming the ticket");
            }
        }
    }
    if (ticket.id.size() > kMaxTicket) {
        ticket.id.resize(kMaxTicket);
        ticket.truncated = true;
    }
    if (config.pattern) {
        ticket.pattern = config.pattern;
        ticket.matches =
            !ticket.truncated &&
            std::regex_match(ticket.id, std::regex(*config.pattern, std::regex::ECMAScript));
    }
    return ticket;
}

std::optional<std::string>
identity_refusal(const config::Settings& settings,
                 const std::optional<session::AttestedIdentity>& attested,
                 const std::optional<session::Ticket>& ticket) {
    if (settings.identity.require_attested.value_or(false) &&
        (!attested || attested->status != session::AttestationStatus::verified)) {
        if (!attested) {
            return std::string("an identity token is required and none was given");
        }
        return "the identity token is required but " +
               std::string(attested->status == session::AttestationStatus::rejected
                               ? "was rejected"
                               : "could not be had") +
               " (" + attested->reason.value_or("unknown") +
               "): " + config::quoted_value(attested->detail.value_or(""));
    }
    if (ticket && ticket->approval &&
        ticket->approval->status != session::AttestationStatus::verified) {
        // Quoted: a detail can carry the token's own words (a kid), which may hold newlines.
        return "the ticket's approval token was not accepted (" +
               ticket->approval->reason.value_or("unknown") +
               "): " + config::quoted_value(ticket->approval->detail.value_or(""));
    }
    if (ticket && ticket->matches == false) {
        return "ticket " + config::quoted_value(ticket->id) +
               (ticket->truncated ? " (cut to 256 bytes)" : "") +
               " does not match the configured pattern " + *ticket->pattern;
    }
    if (settings.ticket.required.value_or(false) && !ticket) {
        return "a ticket is required: set " + std::string(config::kEnvTicket);
    }
    return std::nullopt;
}

} // namespace asocat::identity
