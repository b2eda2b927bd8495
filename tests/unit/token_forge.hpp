// Test-only issuer: makes signing keys with OpenSSL, publishes them as JWKs, and signs JWTs,
// including the malformed and hostile ones a verifier must refuse.
#pragma once

#include <catch2/catch.hpp>
#include <memory>
#include <openssl/bn.h>
#include <openssl/core_names.h>
#include <openssl/ec.h>
#include <openssl/evp.h>
#include <string>
#include <string_view>

#include "identity/jwk.hpp"
#include "util/base64.hpp"
#include "util/openssl_handle.hpp"

namespace asocat::test {

using Pkey = util::OpenSslPtr<EVP_PKEY, EVP_PKEY_free>;

inline std::string b64url(std::string_view bytes) {
    return util::base64url_encode(bytes);
}

class IssuerKey {
public:
    static IssuerKey rsa(std::string kid, unsigned bits = 2048) {
        return IssuerKey(
            Pkey(EVP_PKEY_Q_keygen(nullptr, nullptr, "RSA", static_cast<size_t>(bits))),
            identity::SignatureAlgorithm::rs256, std::move(kid));
    }
    static IssuerKey ec(std::string kid) {
        return IssuerKey(Pkey(EVP_PKEY_Q_keygen(nullptr, nullptr, "EC", "P-256")),
                         identity::SignatureAlgorithm::es256, std::move(kid));
    }
    static IssuerKey ed25519(std::string kid) {
        return IssuerKey(Pkey(EVP_PKEY_Q_keygen(nullptr, nullptr, "ED25519")),
                         identity::SignatureAlgorithm::eddsa, std::move(kid));
    }

    const std::string& kid() const { return m_kid; }
    identity::SignatureAlgorithm algorithm() const { return m_algorithm; }

    // The public key as a JWK object (no "alg" unless asked).
    std::string jwk(bool with_alg = false) const {
        std::string members = "\"kid\":\"" + m_kid + "\",";
        if (with_alg) {
            members += "\"alg\":\"" + std::string(identity::algorithm_name(m_algorithm)) + "\",";
        }
        switch (m_algorithm) {
        case identity::SignatureAlgorithm::rs256:
            return "{" + members + "\"kty\":\"RSA\",\"n\":\"" + b64url(bn(OSSL_PKEY_PARAM_RSA_N)) +
                   "\",\"e\":\"" + b64url(bn(OSSL_PKEY_PARAM_RSA_E)) + "\"}";
        case identity::SignatureAlgorithm::es256: {
            const std::string point = public_point();
            return "{" + members + "\"kty\":\"EC\",\"crv\":\"P-256\",\"x\":\"" +
                   b64url(point.substr(1, 32)) + "\",\"y\":\"" + b64url(point.substr(33, 32)) +
                   "\"}";
        }
        case identity::SignatureAlgorithm::eddsa:
            return "{" + members + "\"kty\":\"OKP\",\"crv\":\"Ed25519\",\"x\":\"" + b64url(raw()) +
                   "\"}";
        }
        return {};
    }

    // The signature JWS carries for `input` (raw r||s for ES256).
    std::string sign(std::string_view input) const {
        const util::MdContext context(EVP_MD_CTX_new());
        const EVP_MD* digest =
            m_algorithm == identity::SignatureAlgorithm::eddsa ? nullptr : EVP_sha256();
        REQUIRE(EVP_DigestSignInit(context.get(), nullptr, digest, nullptr, m_key.get()) == 1);
        size_t length = 0;
        const auto* data = reinterpret_cast<const unsigned char*>(input.data());
        REQUIRE(EVP_DigestSign(context.get(), nullptr, &length, data, input.size()) == 1);
        std::string signature(length, '\0');
        REQUIRE(EVP_DigestSign(context.get(), reinterpret_cast<unsigned char*>(signature.data()),
                               &length, data, input.size()) == 1);
        signature.resize(length);
        if (m_algorithm != identity::SignatureAlgorithm::es256) {
            return signature;
        }
        const auto* der = reinterpret_cast<const unsigned char*>(signature.data());
        ECDSA_SIG* parsed = d2i_ECDSA_SIG(nullptr, &der, static_cast<long>(signature.size()));
        REQUIRE(parsed != nullptr);
        std::string raw_form(64, '\0');
        BN_bn2binpad(ECDSA_SIG_get0_r(parsed), reinterpret_cast<unsigned char*>(raw_form.data()),
                     32);
        BN_bn2binpad(ECDSA_SIG_get0_s(parsed),
                     reinterpret_cast<unsigned char*>(raw_form.data()) + 32, 32);
        ECDSA_SIG_free(parsed);
        return raw_form;
    }

private:
    IssuerKey(Pkey key, identity::SignatureAlgorithm algorithm, std::string kid)
        : m_key(std::move(key)), m_algorithm(algorithm), m_kid(std::move(kid)) {
        REQUIRE(m_key);
    }

    std::string bn(const char* name) const {
        BIGNUM* number = nullptr;
        REQUIRE(EVP_PKEY_get_bn_param(m_key.get(), name, &number) == 1);
        std::string bytes(static_cast<std::size_t>(BN_num_bytes(number)), '\0');
        BN_bn2bin(number, reinterpret_cast<unsigned char*>(bytes.data()));
        BN_free(number);
        return bytes;
    }
    std::string public_point() const {
        std::string point(65, '\0');
        size_t length = 0;
        REQUIRE(EVP_PKEY_get_octet_string_param(m_key.get(), OSSL_PKEY_PARAM_PUB_KEY,
                                                reinterpret_cast<unsigned char*>(point.data()),
                                                point.size(), &length) == 1);
        REQUIRE(length == 65);
        return point;
    }
    std::string raw() const {
        std::string bytes(32, '\0');
        size_t length = bytes.size();
        REQUIRE(EVP_PKEY_get_raw_public_key(
                    m_key.get(), reinterpret_cast<unsigned char*>(bytes.data()), &length) == 1);
        return bytes;
    }

    Pkey m_key;
    identity::SignatureAlgorithm m_algorithm;
    std::string m_kid;
};

inline std::string jwks_of(std::initializer_list<std::string> jwks) {
    std::string text = "{\"keys\":[";
    for (const auto& jwk : jwks) {
        text += (text.back() == '[' ? "" : ",") + jwk;
    }
    return text + "]}";
}

// header.payload, base64url-encoded, as signed.
inline std::string signing_input(std::string_view header, std::string_view payload) {
    return b64url(header) + "." + b64url(payload);
}

inline std::string signed_token(const IssuerKey& key, std::string_view header,
                                std::string_view payload) {
    const std::string input = signing_input(header, payload);
    return input + "." + b64url(key.sign(input));
}

// HS256 over the input with `secret`: what an attacker makes of a public key.
inline std::string hmac_sha256(std::string_view secret, std::string_view input) {
    unsigned char out[32];
    size_t length = 0;
    REQUIRE(EVP_Q_mac(nullptr, "HMAC", nullptr, "SHA256", nullptr, secret.data(), secret.size(),
                      reinterpret_cast<const unsigned char*>(input.data()), input.size(), out,
                      sizeof out, &length) != nullptr);
    return std::string(reinterpret_cast<const char*>(out), length);
}

} // namespace asocat::test
