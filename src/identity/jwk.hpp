// JSON Web Keys (RFC 7517) for verifying identity tokens: the public keys of an issuer's JWKS,
// as OpenSSL 3 key handles. Only the three signature algorithms audited-socat accepts have
// keys here: RSA (RS256, modulus of 2048 bits or more), EC P-256 (ES256) and Ed25519 (EdDSA).
// Anything else in a JWKS (encryption keys, symmetric keys, other curves) is skipped, and said.
#pragma once

#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "util/error.hpp"

struct evp_pkey_st;

namespace asocat::record {
class JsonValue;
}

namespace asocat::identity {

// Member `name` of a JOSE object (a JWK, a JWT header or claim set) when it is a string.
std::optional<std::string> text_member(const record::JsonValue& object, std::string_view name);

// The signature algorithms accepted; each needs its own key type.
enum class SignatureAlgorithm { rs256, es256, eddsa };

// "RS256", "ES256", "EdDSA".
std::string_view algorithm_name(SignatureAlgorithm algorithm);
std::optional<SignatureAlgorithm> algorithm_from_name(std::string_view name);

// A public key that verifies exactly one algorithm.
class VerificationKey {
public:
    VerificationKey(VerificationKey&&) noexcept;
    VerificationKey& operator=(VerificationKey&&) noexcept;
    ~VerificationKey();

    // From a JWK's decoded parameters (big-endian bytes: modulus and exponent, the point's
    // coordinates, the Ed25519 public key). Fails with a sentence naming what is wrong.
    static util::Expected<VerificationKey> rsa(std::string_view n, std::string_view e);
    static util::Expected<VerificationKey> ec_p256(std::string_view x, std::string_view y);
    static util::Expected<VerificationKey> ed25519(std::string_view x);

    SignatureAlgorithm algorithm() const { return m_algorithm; }
    // Whether `signature` (as JWS carries it: raw r||s for ES256) signs `message` under this
    // key with this key's algorithm.
    bool verify(std::string_view message, std::string_view signature) const;

private:
    struct Free {
        void operator()(evp_pkey_st* key) const;
    };
    VerificationKey(evp_pkey_st* key, SignatureAlgorithm algorithm);
    std::unique_ptr<evp_pkey_st, Free> m_key;
    SignatureAlgorithm m_algorithm;
};

struct Jwk {
    std::optional<std::string> kid;
    std::optional<std::string> alg; // if the JWK names one, tokens must use exactly it
    VerificationKey key;
};

struct JwkSet {
    std::vector<Jwk> keys;
    std::vector<std::string> skipped; // one sentence per key that could not be used, and why

    // Parses a JWKS document ({"keys": [...]}) strictly: malformed JSON, duplicate members or
    // a missing "keys" array fail the whole set; an unusable key is skipped and said.
    static util::Expected<JwkSet> parse(std::string_view text);
};

} // namespace asocat::identity
