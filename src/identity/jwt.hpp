// Verification of JWT identity tokens (RFC 7519, signed as JWS compact, RFC 7515) with OpenSSL
// alone: RS256, ES256 and EdDSA against the issuer's JWKS; "none", HMAC and every other
// algorithm refused; the issuer and audience from allow-lists; exp, nbf and iat against the
// clock with a small leeway. What is kept of a verified token is its claims and its SHA-256,
// never the token itself (it may still be valid elsewhere).
#pragma once

#include <cstddef>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <variant>
#include <vector>

#include "identity/jwk.hpp"

namespace asocat::identity {

struct TokenPolicy {
    std::vector<std::string> issuers;   // "iss" must be one of these, exactly
    std::vector<std::string> audiences; // "aud" must name at least one of these
    std::int64_t now = 0;               // seconds since the epoch
    std::int64_t leeway_seconds = 60;   // clock skew allowed on exp, nbf and iat
    std::size_t max_bytes = 16 * 1024;  // a longer token is refused unread
    // "acr" values that mean the login used more than one factor (issuer-specific).
    std::vector<std::string> mfa_acr_values;
};

struct VerifiedToken {
    std::string sha256; // hex, of the token's text
    SignatureAlgorithm algorithm = SignatureAlgorithm::rs256;
    std::optional<std::string> kid;
    std::string issuer;
    std::optional<std::string> subject;
    std::string audience; // the accepted audience the token named
    std::int64_t expires = 0;
    std::optional<std::int64_t> issued_at;
    std::optional<std::int64_t> not_before;
    std::vector<std::string> amr;
    std::optional<std::string> acr;
    // Whether the login used more than one factor: "mfa" in amr, a knowledge factor with a
    // possession or inherence factor in amr, or an acr the policy names; nullopt when the
    // token has neither amr nor acr.
    std::optional<bool> mfa;
    std::string claims; // the payload's claims as canonical JSON
};

// Why a token was refused: `reason` is one of the keywords below (stable, recorded),
// `detail` a sentence for people.
//   too-large, malformed, alg-none, alg-hmac, alg-unsupported, critical-header, unknown-kid,
//   no-key, ambiguous-key, alg-key-mismatch, bad-signature, missing-claim, wrong-issuer,
//   wrong-audience, expired, not-yet-valid, issued-in-future
struct TokenRejection {
    std::string reason;
    std::string detail;
};

using TokenResult = std::variant<VerifiedToken, TokenRejection>;

TokenResult verify_token(std::string_view token, const JwkSet& keys, const TokenPolicy& policy);

// The "iss" a token claims, read without verifying anything: only to choose whose keys to
// verify it with. nullopt when the token is too large or malformed, or names no issuer.
std::optional<std::string> unverified_issuer(std::string_view token, std::size_t max_bytes);

} // namespace asocat::identity
