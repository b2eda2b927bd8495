#include "identity/jwk.hpp"

#include <openssl/bn.h>
#include <openssl/core_names.h>
#include <openssl/ec.h>
#include <openssl/evp.h>
#include <openssl/param_build.h>
#include <utility>

#include "record/json_reader.hpp"
#include "util/base64.hpp"
#include "util/openssl_handle.hpp"

namespace asocat::identity {
namespace {

using Context = util::PkeyContext;
using DigestContext = util::MdContext;
using Number = util::OpenSslPtr<BIGNUM, BN_free>;
using Builder = util::OpenSslPtr<OSSL_PARAM_BLD, OSSL_PARAM_BLD_free>;
using Params = util::OpenSslPtr<OSSL_PARAM, OSSL_PARAM_free>;
using EcdsaSignature = util::OpenSslPtr<ECDSA_SIG, ECDSA_SIG_free>;

constexpr int kMinRsaBits = 2048;
constexpr std::size_t kP256Coordinate = 32;
constexpr std::size_t kEd25519Key = 32;

Number number_of(std::string_view bytes) {
    return Number(BN_bin2bn(reinterpret_cast<const unsigned char*>(bytes.data()),
                            static_cast<int>(bytes.size()), nullptr));
}

// A public key from OpenSSL parameters of `type` ("RSA", "EC").
util::Expected<EVP_PKEY*> from_params(const char* type, const OSSL_PARAM* params) {
    const Context context(EVP_PKEY_CTX_new_from_name(nullptr, type, nullptr));
    EVP_PKEY* key = nullptr;
    if (!context || EVP_PKEY_fromdata_init(context.get()) != 1 ||
        EVP_PKEY_fromdata(context.get(), &key, EVP_PKEY_PUBLIC_KEY,
                          const_cast<OSSL_PARAM*>(params)) != 1) {
        return util::Error(std::string("OpenSSL refused the ") + type + " key parameters");
    }
    return key;
}

// The signature as the digest-verify API takes it: DER for ECDSA, as given otherwise.
std::optional<std::string> native_signature(SignatureAlgorithm algorithm,
                                            std::string_view signature) {
    if (algorithm != SignatureAlgorithm::es256) {
        return std::string(signature);
    }
    if (signature.size() != 2 * kP256Coordinate) {
        return std::nullopt; // JWS ES256 is exactly r||s, 32 bytes each
    }
    EcdsaSignature der_form(ECDSA_SIG_new());
    Number r = number_of(signature.substr(0, kP256Coordinate));
    Number s = number_of(signature.substr(kP256Coordinate));
    if (!der_form || !r || !s || ECDSA_SIG_set0(der_form.get(), r.get(), s.get()) != 1) {
        return std::nullopt;
    }
    (void)r.release(); // owned by der_form now
    (void)s.release();
    unsigned char* encoded = nullptr;
    const int length = i2d_ECDSA_SIG(der_form.get(), &encoded);
    if (length <= 0) {
        return std::nullopt;
    }
    std::string out(reinterpret_cast<const char*>(encoded), static_cast<std::size_t>(length));
    OPENSSL_free(encoded);
    return out;
}

} // namespace

std::string_view algorithm_name(SignatureAlgorithm algorithm) {
    switch (algorithm) {
    case SignatureAlgorithm::rs256:
        return "RS256";
    case SignatureAlgorithm::es256:
        return "ES256";
    case SignatureAlgorithm::eddsa:
        return "EdDSA";
    }
    return "?";
}

std::optional<SignatureAlgorithm> algorithm_from_name(std::string_view name) {
    for (const auto algorithm :
         {SignatureAlgorithm::rs256, SignatureAlgorithm::es256, SignatureAlgorithm::eddsa}) {
        if (algorithm_name(algorithm) == name) {
            return algorithm;
        }
    }
    return std::nullopt;
}

void VerificationKey::Free::operator()(evp_pkey_st* key) const {
    EVP_PKEY_free(key);
}

VerificationKey::VerificationKey(evp_pkey_st* key, SignatureAlgorithm algorithm)
    : m_key(key), m_algorithm(algorithm) {}
VerificationKey::VerificationKey(VerificationKey&&) noexcept = default;
VerificationKey& VerificationKey::operator=(VerificationKey&&) noexcept = default;
VerificationKey::~VerificationKey() = default;

util::Expected<VerificationKey> VerificationKey::rsa(std::string_view n, std::string_view e) {
    const Number modulus = number_of(n);
    const Number exponent = number_of(e);
    if (!modulus || !exponent || BN_is_zero(exponent.get())) {
        return util::Error("the RSA key's n or e is not a usable number");
    }
    if (BN_num_bits(modulus.get()) < kMinRsaBits) {
        return util::Error("the RSA key has " + std::to_string(BN_num_bits(modulus.get())) +
                           " bits; at least 2048 are required");
    }
    const Builder builder(OSSL_PARAM_BLD_new());
    if (!builder ||
        OSSL_PARAM_BLD_push_BN(builder.get(), OSSL_PKEY_PARAM_RSA_N, modulus.get()) != 1 ||
        OSSL_PARAM_BLD_push_BN(builder.get(), OSSL_PKEY_PARAM_RSA_E, exponent.get()) != 1) {
        return util::Error("OpenSSL could not hold the RSA key parameters");
    }
    const Params params(OSSL_PARAM_BLD_to_param(builder.get()));
    auto key = params
                   ? from_params("RSA", params.get())
                   : util::Expected<EVP_PKEY*>(util::Error("OpenSSL could not build the RSA key"));
    if (!key) {
        return key.error();
    }
    return VerificationKey(*key, SignatureAlgorithm::rs256);
}

util::Expected<VerificationKey> VerificationKey::ec_p256(std::string_view x, std::string_view y) {
    if (x.size() != kP256Coordinate || y.size() != kP256Coordinate) {
        return util::Error("a P-256 key's x and y are 32 bytes each");
    }
    std::string point = "\x04"; // uncompressed: 04 || x || y
    point.append(x);
    point.append(y);
    const Builder builder(OSSL_PARAM_BLD_new());
    if (!builder ||
        OSSL_PARAM_BLD_push_utf8_string(builder.get(), OSSL_PKEY_PARAM_GROUP_NAME, "P-256", 0) !=
            1 ||
        OSSL_PARAM_BLD_push_octet_string(builder.get(), OSSL_PKEY_PARAM_PUB_KEY, point.data(),
                                         point.size()) != 1) {
        return util::Error("OpenSSL could not hold the P-256 key parameters");
    }
    const Params params(OSSL_PARAM_BLD_to_param(builder.get()));
    // OpenSSL refuses a point that is not on the curve here already (the lengths are right).
    auto key =
        params ? from_params("EC", params.get())
               : util::Expected<EVP_PKEY*>(util::Error("OpenSSL could not build the P-256 key"));
    if (!key) {
        return util::Error("the P-256 key's point is not on the curve");
    }
    VerificationKey verification(*key, SignatureAlgorithm::es256);
    // A point off the curve must never be used, whatever it would verify.
    const Context check(EVP_PKEY_CTX_new_from_pkey(nullptr, verification.m_key.get(), nullptr));
    if (!check || EVP_PKEY_public_check(check.get()) != 1) {
        return util::Error("the P-256 key's point is not on the curve");
    }
    return verification;
}

util::Expected<VerificationKey> VerificationKey::ed25519(std::string_view x) {
    if (x.size() != kEd25519Key) {
        return util::Error("an Ed25519 key's x is 32 bytes");
    }
    EVP_PKEY* key = EVP_PKEY_new_raw_public_key(
        EVP_PKEY_ED25519, nullptr, reinterpret_cast<const unsigned char*>(x.data()), x.size());
    if (key == nullptr) {
        return util::Error("OpenSSL refused the Ed25519 key");
    }
    return VerificationKey(key, SignatureAlgorithm::eddsa);
}

bool VerificationKey::verify(std::string_view message, std::string_view signature) const {
    const auto native = native_signature(m_algorithm, signature);
    if (!native) {
        return false;
    }
    const DigestContext context(EVP_MD_CTX_new());
    // EdDSA hashes internally: no digest is named for it.
    const EVP_MD* digest = m_algorithm == SignatureAlgorithm::eddsa ? nullptr : EVP_sha256();
    if (!context ||
        EVP_DigestVerifyInit(context.get(), nullptr, digest, nullptr, m_key.get()) != 1) {
        return false;
    }
    return EVP_DigestVerify(context.get(), reinterpret_cast<const unsigned char*>(native->data()),
                            native->size(), reinterpret_cast<const unsigned char*>(message.data()),
                            message.size()) == 1;
}

std::optional<std::string> text_member(const record::JsonValue& object, std::string_view name) {
    const record::JsonValue* value = object.find(name);
    if (value == nullptr || value->kind() != record::JsonKind::string) {
        return std::nullopt;
    }
    return std::string(value->as_string());
}

namespace {

using record::JsonKind;
using record::JsonValue;

// A base64url parameter of the key, decoded.
util::Expected<std::string> parameter(const JsonValue& jwk, std::string_view name) {
    const auto text = text_member(jwk, name);
    if (!text) {
        return util::Error("no \"" + std::string(name) + "\" string");
    }
    auto bytes = util::base64url_decode(*text);
    if (!bytes) {
        return util::Error("\"" + std::string(name) + "\" is not canonical base64url");
    }
    return std::move(*bytes);
}

util::Expected<VerificationKey> key_of(const JsonValue& jwk, const std::string& kty) {
    if (kty == "RSA") {
        auto n = parameter(jwk, "n");
        auto e = n ? parameter(jwk, "e") : util::Expected<std::string>(n.error());
        if (!e) {
            return e.error();
        }
        return VerificationKey::rsa(*n, *e);
    }
    const auto crv = text_member(jwk, "crv");
    if (kty == "EC" && crv == "P-256") {
        auto x = parameter(jwk, "x");
        auto y = x ? parameter(jwk, "y") : util::Expected<std::string>(x.error());
        if (!y) {
            return y.error();
        }
        return VerificationKey::ec_p256(*x, *y);
    }
    if (kty == "OKP" && crv == "Ed25519") {
        auto x = parameter(jwk, "x");
        if (!x) {
            return x.error();
        }
        return VerificationKey::ed25519(*x);
    }
    return util::Error("type " + kty + (crv ? " " + *crv : std::string()) +
                       ", which no accepted algorithm uses (RSA, EC P-256, OKP Ed25519)");
}

} // namespace

util::Expected<JwkSet> JwkSet::parse(std::string_view text) {
    record::JsonDocument document;
    const auto parsed = document.parse(text);
    if (!parsed) {
        return util::Error("the JWKS is not valid JSON: " + parsed.error().describe());
    }
    const JsonValue* keys =
        parsed.root().kind() == JsonKind::object ? parsed.root().find("keys") : nullptr;
    if (keys == nullptr || keys->kind() != JsonKind::array) {
        return util::Error("the JWKS has no \"keys\" array");
    }
    JwkSet set;
    for (std::size_t i = 0; i < keys->size(); ++i) {
        const JsonValue& jwk = keys->at(i);
        const std::string where = "key " + std::to_string(i);
        if (jwk.kind() != JsonKind::object) {
            set.skipped.push_back(where + " is not an object");
            continue;
        }
        const auto kid = text_member(jwk, "kid");
        const std::string named = kid ? where + " (kid " + *kid + ")" : where;
        const auto kty = text_member(jwk, "kty");
        const auto use = text_member(jwk, "use");
        if (!kty) {
            set.skipped.push_back(named + " has no \"kty\"");
            continue;
        }
        if (use && *use != "sig") {
            set.skipped.push_back(named + " is for \"" + *use + "\", not signatures");
            continue;
        }
        auto key = key_of(jwk, *kty);
        if (!key) {
            set.skipped.push_back(named + ": " + key.error().describe());
            continue;
        }
        auto alg = text_member(jwk, "alg");
        if (alg && algorithm_from_name(*alg) != key->algorithm()) {
            set.skipped.push_back(named + " names \"alg\" " + *alg + ", which its " + *kty +
                                  " key cannot verify or audited-socat does not accept");
            continue;
        }
        set.keys.push_back(Jwk{kid, std::move(alg), std::move(*key)});
    }
    return set;
}

} // namespace asocat::identity
