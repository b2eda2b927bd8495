#include "evidence/ed25519.hpp"

#include <cstring>
#include <openssl/bio.h>
#include <openssl/err.h>
#include <openssl/evp.h>
#include <openssl/pem.h>
#include <openssl/store.h>
#include <openssl/ui.h>
#include <stdexcept>

#include "util/base64.hpp"
#include "util/openssl_handle.hpp"

namespace asocat::evidence {
namespace {

using util::Bio;
using MdCtx = util::MdContext;

using Store = util::OpenSslPtr<OSSL_STORE_CTX, OSSL_STORE_close>;
using StoreInfo = util::OpenSslPtr<OSSL_STORE_INFO, OSSL_STORE_INFO_free>;

// A passphrase callback that never asks: an encrypted key must fail, not block on a terminal.
int no_passphrase(char*, int, int, void*) {
    return 0;
}

// Clears a secret when it goes out of scope.
struct Cleansed {
    std::string bytes;
    Cleansed() = default;
    Cleansed(const Cleansed&) = delete;
    Cleansed& operator=(const Cleansed&) = delete;
    ~Cleansed() { OPENSSL_cleanse(bytes.data(), bytes.size()); }
};

// The seed of an Ed25519 key in the one PKCS#8 form without attributes (RFC 8410: a fixed
// 16-byte prefix, then the 32 bytes), which is what keygen and `openssl genpkey` write. Taken
// apart here because OpenSSL's decoders cost a fresh process about 0.6 ms; any other form
// (encrypted, with attributes, another algorithm) is left to them. Text before the PEM block
// is ignored, as PEM_read_bio does.
bool read_plain_pkcs8_seed(std::string_view pem, Cleansed& seed) {
    static constexpr std::string_view kBegin = "-----BEGIN PRIVATE KEY-----\n";
    static constexpr std::string_view kEnd = "-----END PRIVATE KEY-----";
    static constexpr unsigned char kPrefix[] = {0x30, 0x2e, 0x02, 0x01, 0x00, 0x30, 0x05, 0x06,
                                                0x03, 0x2b, 0x65, 0x70, 0x04, 0x22, 0x04, 0x20};
    const auto begin = pem.find(kBegin);
    const auto end = pem.find(kEnd);
    if (begin == std::string_view::npos || end == std::string_view::npos || end < begin ||
        pem.find_first_not_of('\n', end + kEnd.size()) != std::string_view::npos) {
        return false;
    }
    Cleansed body;
    for (const char c : pem.substr(begin + kBegin.size(), end - begin - kBegin.size())) {
        if (c != '\n') {
            body.bytes += c;
        }
    }
    auto decoded = util::base64_decode(body.bytes);
    if (!decoded) {
        return false;
    }
    seed.bytes = std::move(*decoded);
    if (seed.bytes.size() != sizeof kPrefix + 32 ||
        std::memcmp(seed.bytes.data(), kPrefix, sizeof kPrefix) != 0) {
        return false;
    }
    seed.bytes.erase(0, sizeof kPrefix);
    return true;
}

std::string bio_contents(BIO* bio) {
    char* data = nullptr;
    const long length = BIO_get_mem_data(bio, &data);
    return std::string(data, static_cast<std::size_t>(length));
}

Bio memory_bio(std::string_view text) {
    return Bio(BIO_new_mem_buf(text.data(), static_cast<int>(text.size())));
}

} // namespace

util::Error openssl_error(const std::string& what) {
    std::string detail;
    while (const unsigned long code = ERR_get_error()) {
        char buffer[256];
        ERR_error_string_n(code, buffer, sizeof buffer);
        detail = buffer; // the last is the most specific
    }
    return util::Error(detail.empty() ? what : what + ": " + detail);
}

void Ed25519Key::Free::operator()(evp_pkey_st* key) const {
    EVP_PKEY_free(key);
}

Ed25519Key::Ed25519Key(evp_pkey_st* key, bool is_private) : m_key(key), m_private(is_private) {}
Ed25519Key::Ed25519Key(Ed25519Key&&) noexcept = default;
Ed25519Key& Ed25519Key::operator=(Ed25519Key&&) noexcept = default;
Ed25519Key::~Ed25519Key() = default;

util::Expected<Ed25519Key> Ed25519Key::adopt(evp_pkey_st* pkey, bool is_private,
                                             const std::string& origin) {
    std::unique_ptr<evp_pkey_st, Free> owned(pkey);
    if (!owned) {
        return openssl_error("cannot read a key from " + origin);
    }
    if (EVP_PKEY_is_a(owned.get(), "ED25519") != 1) {
        return util::Error(origin + " holds a " +
                           std::string(EVP_PKEY_get0_type_name(owned.get())
                                           ? EVP_PKEY_get0_type_name(owned.get())
                                           : "non-Ed25519") +
                           " key; audited-socat signs with Ed25519 only");
    }
    return Ed25519Key(owned.release(), is_private);
}

util::Expected<Ed25519Key> Ed25519Key::generate() {
    EVP_PKEY* key = EVP_PKEY_Q_keygen(nullptr, nullptr, "ED25519");
    if (key == nullptr) {
        return openssl_error("cannot generate an Ed25519 key");
    }
    return Ed25519Key(key, true);
}

util::Expected<Ed25519Key> Ed25519Key::from_public(const PublicKeyBytes& raw) {
    EVP_PKEY* key =
        EVP_PKEY_new_raw_public_key_ex(nullptr, "ED25519", nullptr, raw.data(), raw.size());
    if (key == nullptr) {
        return openssl_error("invalid Ed25519 public key");
    }
    return Ed25519Key(key, false);
}

PublicKeyBytes Ed25519Key::public_key() const {
    PublicKeyBytes raw{};
    std::size_t length = raw.size();
    if (EVP_PKEY_get_raw_public_key(m_key.get(), raw.data(), &length) != 1 ||
        length != raw.size()) {
        throw std::runtime_error(openssl_error("EVP_PKEY_get_raw_public_key").describe());
    }
    return raw;
}

util::Expected<SignatureBytes> Ed25519Key::sign(std::string_view message) const {
    if (!m_private) {
        return util::Error("cannot sign with a public key");
    }
    MdCtx ctx(EVP_MD_CTX_new());
    SignatureBytes signature{};
    std::size_t length = signature.size();
    if (!ctx ||
        EVP_DigestSignInit_ex(ctx.get(), nullptr, nullptr, nullptr, nullptr, m_key.get(),
                              nullptr) != 1 ||
        EVP_DigestSign(ctx.get(), signature.data(), &length,
                       reinterpret_cast<const unsigned char*>(message.data()),
                       message.size()) != 1 ||
        length != signature.size()) {
        return openssl_error("Ed25519 signing failed");
    }
    return signature;
}

bool Ed25519Key::verify(std::string_view message, const SignatureBytes& signature) const {
    MdCtx ctx(EVP_MD_CTX_new());
    const bool valid = ctx &&
                       EVP_DigestVerifyInit_ex(ctx.get(), nullptr, nullptr, nullptr, nullptr,
                                               m_key.get(), nullptr) == 1 &&
                       EVP_DigestVerify(ctx.get(), signature.data(), signature.size(),
                                        reinterpret_cast<const unsigned char*>(message.data()),
                                        message.size()) == 1;
    ERR_clear_error(); // a bad signature is an answer, not an error to report later
    return valid;
}

util::Expected<std::string> Ed25519Key::private_pem() const {
    Bio bio(BIO_new(BIO_s_mem()));
    if (!bio || PEM_write_bio_PrivateKey(bio.get(), m_key.get(), nullptr, nullptr, 0, nullptr,
                                         nullptr) != 1) {
        return openssl_error("cannot encode the private key");
    }
    return bio_contents(bio.get());
}

util::Expected<std::string> Ed25519Key::public_pem() const {
    Bio bio(BIO_new(BIO_s_mem()));
    if (!bio || PEM_write_bio_PUBKEY(bio.get(), m_key.get()) != 1) {
        return openssl_error("cannot encode the public key");
    }
    return bio_contents(bio.get());
}

util::Expected<Ed25519Key> Ed25519Key::from_private_pem(std::string_view pem,
                                                        const std::string& origin) {
    if (Cleansed seed; read_plain_pkcs8_seed(pem, seed)) {
        return adopt(EVP_PKEY_new_raw_private_key_ex(
                         nullptr, "ED25519", nullptr,
                         reinterpret_cast<const unsigned char*>(seed.bytes.data()),
                         seed.bytes.size()),
                     true, origin);
    }
    Bio bio = memory_bio(pem);
    return adopt(
        PEM_read_bio_PrivateKey_ex(bio.get(), nullptr, no_passphrase, nullptr, nullptr, nullptr),
        true, origin);
}

util::Expected<Ed25519Key> Ed25519Key::from_public_pem(std::string_view pem,
                                                       const std::string& origin) {
    Bio bio = memory_bio(pem);
    return adopt(
        PEM_read_bio_PUBKEY_ex(bio.get(), nullptr, no_passphrase, nullptr, nullptr, nullptr), false,
        origin);
}

util::Expected<Ed25519Key> Ed25519Key::from_store_uri(const std::string& uri) {
    Store store(
        // UI_null: a store that wants a PIN or passphrase fails instead of prompting.
        OSSL_STORE_open_ex(uri.c_str(), nullptr, nullptr, UI_null(), nullptr, nullptr, nullptr,
                           nullptr));
    if (!store) {
        return openssl_error("cannot open key store " + uri);
    }
    OSSL_STORE_expect(store.get(), OSSL_STORE_INFO_PKEY);
    while (!OSSL_STORE_eof(store.get())) {
        StoreInfo info(OSSL_STORE_load(store.get()));
        if (info && OSSL_STORE_INFO_get_type(info.get()) == OSSL_STORE_INFO_PKEY) {
            return adopt(OSSL_STORE_INFO_get1_PKEY(info.get()), true, uri);
        }
    }
    return openssl_error("no private key found at " + uri);
}

} // namespace asocat::evidence
