#include "identity/jwt.hpp"

#include <algorithm>
#include <cctype>
#include <iterator>
#include <utility>

#include "record/json_reader.hpp"
#include "util/base64.hpp"
#include "util/sha256.hpp"

namespace asocat::identity {
namespace {

using record::JsonKind;
using record::JsonValue;

TokenRejection rejected(std::string reason, std::string detail) {
    return TokenRejection{std::move(reason), std::move(detail)};
}

// The three parts of a JWS compact serialization.
struct Parts {
    std::string_view header;
    std::string_view payload;
    std::string_view signature;
};

std::optional<Parts> split(std::string_view token) {
    const auto first = token.find('.');
    const auto second = first == std::string_view::npos ? first : token.find('.', first + 1);
    if (second == std::string_view::npos || token.find('.', second + 1) != std::string_view::npos) {
        return std::nullopt;
    }
    return Parts{token.substr(0, first), token.substr(first + 1, second - first - 1),
                 token.substr(second + 1)};
}

// A part decoded and parsed as a JSON object, or why not.
std::variant<const JsonValue*, TokenRejection>
object_part(record::JsonDocument& document, std::string_view part, std::string_view name) {
    const auto text = util::base64url_decode(part);
    if (!text) {
        return rejected("malformed", "the " + std::string(name) + " is not canonical base64url");
    }
    const auto parsed = document.parse(*text);
    if (!parsed) {
        return rejected("malformed", "the " + std::string(name) +
                                         " is not strict JSON: " + parsed.error().describe());
    }
    if (parsed.root().kind() != JsonKind::object) {
        return rejected("malformed", "the " + std::string(name) + " is not a JSON object");
    }
    return &parsed.root();
}

// The key a token names, or why there is none to use.
std::variant<const Jwk*, TokenRejection> choose_key(const JwkSet& keys,
                                                    const std::optional<std::string>& kid,
                                                    SignatureAlgorithm algorithm) {
    const auto name = std::string(algorithm_name(algorithm));
    if (kid) {
        const auto found = std::find_if(keys.keys.begin(), keys.keys.end(),
                                        [&](const Jwk& key) { return key.kid == kid; });
        if (found == keys.keys.end()) {
            return rejected("unknown-kid", "no key in the JWKS has kid " + *kid);
        }
        if (found->key.algorithm() != algorithm) {
            return rejected("alg-key-mismatch",
                            "the token says " + name + " but key " + *kid + " is an " +
                                std::string(algorithm_name(found->key.algorithm())) + " key");
        }
        return &*found;
    }
    const Jwk* only = nullptr;
    for (const auto& key : keys.keys) {
        if (key.key.algorithm() == algorithm) {
            if (only != nullptr) {
                return rejected("ambiguous-key", "the token names no kid and several " + name +
                                                     " keys could sign it");
            }
            only = &key;
        }
    }
    if (only == nullptr) {
        return rejected("no-key", "the token names no kid and the JWKS has no " + name + " key");
    }
    return only;
}

bool names_audience(const JsonValue& aud, const std::string& audience) {
    if (aud.kind() == JsonKind::string) {
        return aud.as_string() == audience;
    }
    for (std::size_t i = 0; i < aud.size(); ++i) {
        if (aud.at(i).kind() == JsonKind::string && aud.at(i).as_string() == audience) {
            return true;
        }
    }
    return false;
}

// RFC 8176 method references: what one knows, and what one has or is.
bool knowledge_factor(std::string_view method) {
    return method == "pwd" || method == "pin" || method == "kba";
}
bool possession_or_inherence_factor(std::string_view method) {
    static constexpr std::string_view kMethods[] = {"otp", "hwk",  "swk",  "sms",    "tel", "sc",
                                                    "fpt", "face", "iris", "retina", "vbm"};
    return std::find(std::begin(kMethods), std::end(kMethods), method) != std::end(kMethods);
}

std::optional<bool> used_mfa(const std::vector<std::string>& amr,
                             const std::optional<std::string>& acr, bool amr_present,
                             const TokenPolicy& policy) {
    if (std::find(amr.begin(), amr.end(), "mfa") != amr.end()) {
        return true;
    }
    if (std::any_of(amr.begin(), amr.end(), knowledge_factor) &&
        std::any_of(amr.begin(), amr.end(), possession_or_inherence_factor)) {
        return true;
    }
    if (acr && std::find(policy.mfa_acr_values.begin(), policy.mfa_acr_values.end(), *acr) !=
                   policy.mfa_acr_values.end()) {
        return true;
    }
    if (!amr_present && !acr) {
        return std::nullopt;
    }
    return false;
}

// exp, nbf and iat: NumericDate integers; exp required.
std::optional<TokenRejection> check_times(const JsonValue& claims, const TokenPolicy& policy,
                                          VerifiedToken& token) {
    const auto date =
        [&](std::string_view name) -> std::variant<std::monostate, std::int64_t, TokenRejection> {
        const JsonValue* value = claims.find(name);
        if (value == nullptr) {
            return std::monostate{};
        }
        if (value->kind() != JsonKind::integer) {
            return rejected("malformed",
                            "\"" + std::string(name) + "\" is not an integer NumericDate");
        }
        return value->as_integer();
    };
    const auto exp = date("exp");
    const auto nbf = date("nbf");
    const auto iat = date("iat");
    for (const auto* each : {&exp, &nbf, &iat}) {
        if (const auto* bad = std::get_if<TokenRejection>(each)) {
            return *bad;
        }
    }
    if (!std::holds_alternative<std::int64_t>(exp)) {
        return rejected("missing-claim", "the token has no \"exp\": it would never expire");
    }
    token.expires = std::get<std::int64_t>(exp);
    if (policy.now > token.expires + policy.leeway_seconds) {
        return rejected("expired", "the token expired at " + std::to_string(token.expires) + ", " +
                                       std::to_string(policy.now - token.expires) + " s ago");
    }
    if (const auto* value = std::get_if<std::int64_t>(&nbf)) {
        token.not_before = *value;
        if (policy.now + policy.leeway_seconds < *value) {
            return rejected("not-yet-valid", "the token is valid from " + std::to_string(*value) +
                                                 ", " + std::to_string(*value - policy.now) +
                                                 " s from now");
        }
    }
    if (const auto* value = std::get_if<std::int64_t>(&iat)) {
        token.issued_at = *value;
        if (*value > policy.now + policy.leeway_seconds) {
            return rejected("issued-in-future",
                            "the token says it was issued at " + std::to_string(*value) + ", " +
                                std::to_string(*value - policy.now) + " s from now");
        }
    }
    return std::nullopt;
}

} // namespace

TokenResult verify_token(std::string_view token, const JwkSet& keys, const TokenPolicy& policy) {
    if (token.size() > policy.max_bytes) {
        return rejected("too-large", "the token is " + std::to_string(token.size()) +
                                         " bytes; at most " + std::to_string(policy.max_bytes) +
                                         " are accepted");
    }
    const auto parts = split(token);
    if (!parts) {
        return rejected("malformed", "a token is three base64url parts joined by dots");
    }

    record::JsonDocument header_document;
    const auto header_part = object_part(header_document, parts->header, "header");
    if (const auto* bad = std::get_if<TokenRejection>(&header_part)) {
        return *bad;
    }
    const JsonValue& header = *std::get<const JsonValue*>(header_part);
    const auto alg = text_member(header, "alg");
    if (!alg) {
        return rejected("malformed", "the header has no \"alg\" string");
    }
    std::string lowered = *alg;
    std::transform(lowered.begin(), lowered.end(), lowered.begin(),
                   [](unsigned char c) { return static_cast<char>(std::tolower(c)); });
    if (lowered == "none") {
        return rejected("alg-none", "the token is not signed (alg " + *alg + ")");
    }
    if (lowered.rfind("hs", 0) == 0) {
        return rejected("alg-hmac", "the token is signed with a shared secret (alg " + *alg +
                                        "), which proves nothing about its issuer");
    }
    const auto algorithm = algorithm_from_name(*alg);
    if (!algorithm) {
        return rejected("alg-unsupported",
                        "alg " + *alg + " is not accepted (RS256, ES256, EdDSA)");
    }
    if (header.find("crit") != nullptr) {
        return rejected("critical-header", "the header lists critical extensions (\"crit\"), "
                                           "which this verifier does not implement");
    }
    const JsonValue* kid_value = header.find("kid");
    if (kid_value != nullptr && kid_value->kind() != JsonKind::string) {
        return rejected("malformed", "the header's \"kid\" is not a string");
    }
    const auto kid = text_member(header, "kid");
    const auto chosen = choose_key(keys, kid, *algorithm);
    if (const auto* bad = std::get_if<TokenRejection>(&chosen)) {
        return *bad;
    }
    const Jwk& key = *std::get<const Jwk*>(chosen);

    const auto signature = util::base64url_decode(parts->signature);
    if (!signature) {
        return rejected("malformed", "the signature is not canonical base64url");
    }
    const std::string_view signed_text =
        token.substr(0, parts->header.size() + 1 + parts->payload.size());
    if (!key.key.verify(signed_text, *signature)) {
        return rejected("bad-signature",
                        "the signature does not verify under key " + key.kid.value_or("(no kid)"));
    }

    // Only signed bytes are read from here on.
    record::JsonDocument claims_document;
    const auto payload_part = object_part(claims_document, parts->payload, "payload");
    if (const auto* bad = std::get_if<TokenRejection>(&payload_part)) {
        return *bad;
    }
    const JsonValue& claims = *std::get<const JsonValue*>(payload_part);

    VerifiedToken verified;
    verified.algorithm = *algorithm;
    verified.kid = kid;
    const auto iss = text_member(claims, "iss");
    if (!iss) {
        return rejected("missing-claim", "the token has no \"iss\" string");
    }
    if (std::find(policy.issuers.begin(), policy.issuers.end(), *iss) == policy.issuers.end()) {
        return rejected("wrong-issuer", "issuer " + *iss + " is not an accepted issuer");
    }
    verified.issuer = *iss;
    const JsonValue* aud = claims.find("aud");
    if (aud == nullptr || (aud->kind() != JsonKind::string && aud->kind() != JsonKind::array)) {
        return rejected("missing-claim", "the token has no \"aud\" string or array");
    }
    const auto audience =
        std::find_if(policy.audiences.begin(), policy.audiences.end(),
                     [&](const std::string& each) { return names_audience(*aud, each); });
    if (audience == policy.audiences.end()) {
        return rejected("wrong-audience", "the token is not for an accepted audience");
    }
    verified.audience = *audience;
    if (auto bad = check_times(claims, policy, verified)) {
        return *bad;
    }
    verified.subject = text_member(claims, "sub");
    const JsonValue* amr = claims.find("amr");
    if (amr != nullptr && amr->kind() == JsonKind::array) {
        for (std::size_t i = 0; i < amr->size(); ++i) {
            if (amr->at(i).kind() == JsonKind::string) {
                verified.amr.emplace_back(amr->at(i).as_string());
            }
        }
    }
    verified.acr = text_member(claims, "acr");
    verified.mfa = used_mfa(verified.amr, verified.acr,
                            amr != nullptr && amr->kind() == JsonKind::array, policy);
    verified.claims = record::serialize_canonical(claims);
    verified.sha256 = util::to_hex(util::sha256(token));
    return verified;
}

std::optional<std::string> unverified_issuer(std::string_view token, std::size_t max_bytes) {
    const auto parts = token.size() <= max_bytes ? split(token) : std::nullopt;
    if (!parts) {
        return std::nullopt;
    }
    record::JsonDocument document;
    const auto payload = object_part(document, parts->payload, "payload");
    if (std::holds_alternative<TokenRejection>(payload)) {
        return std::nullopt;
    }
    return text_member(*std::get<const JsonValue*>(payload), "iss");
}

} // namespace asocat::identity
