// Ed25519 keys, signatures and verification over OpenSSL 3's EVP interface. Every OpenSSL object
// is owned by a unique_ptr with its free function; nothing raw escapes.
#pragma once

#include <array>
#include <cstdint>
#include <memory>
#include <string>
#include <string_view>

#include "util/error.hpp"

struct evp_pkey_st;

namespace asocat::evidence {

using PublicKeyBytes = std::array<std::uint8_t, 32>;
using SignatureBytes = std::array<std::uint8_t, 64>;

// An OpenSSL key handle (EVP_PKEY) known to be Ed25519.
class Ed25519Key {
public:
    Ed25519Key(Ed25519Key&&) noexcept;
    Ed25519Key& operator=(Ed25519Key&&) noexcept;
    ~Ed25519Key();

    static util::Expected<Ed25519Key> generate();
    static util::Expected<Ed25519Key> from_public(const PublicKeyBytes& raw);
    // Takes ownership of `pkey` (a private key if `is_private`), refusing any type but Ed25519.
    static util::Expected<Ed25519Key> adopt(evp_pkey_st* pkey, bool is_private,
                                            const std::string& origin);

    bool has_private() const { return m_private; }
    PublicKeyBytes public_key() const;

    // Requires a private key.
    util::Expected<SignatureBytes> sign(std::string_view message) const;
    bool verify(std::string_view message, const SignatureBytes& signature) const;

    // PKCS#8 PEM of the private key; SubjectPublicKeyInfo PEM of the public key.
    util::Expected<std::string> private_pem() const;
    util::Expected<std::string> public_pem() const;
    // Parses PEM without ever prompting for a passphrase (an encrypted key is an error).
    static util::Expected<Ed25519Key> from_private_pem(std::string_view pem,
                                                       const std::string& origin);
    static util::Expected<Ed25519Key> from_public_pem(std::string_view pem,
                                                      const std::string& origin);
    // Loads a key through OpenSSL's store API: "file:...", or a provider's URI such as
    // "pkcs11:..." when that provider is configured in openssl.cnf.
    static util::Expected<Ed25519Key> from_store_uri(const std::string& uri);

    evp_pkey_st* native() const { return m_key.get(); }

private:
    struct Free {
        void operator()(evp_pkey_st* key) const;
    };
    Ed25519Key(evp_pkey_st* key, bool is_private);
    std::unique_ptr<evp_pkey_st, Free> m_key;
    bool m_private = false;
};

// The OpenSSL error queue as one line (and cleared), prefixed by `what`.
util::Error openssl_error(const std::string& what);

} // namespace asocat::evidence
