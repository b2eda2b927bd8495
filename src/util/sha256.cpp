// OpenSSL's low-level SHA-256 rather than EVP: the same SHA-NI/AVX code, but no provider
// initialisation, which costs ~1.5 ms on OpenSSL 3.0 and would sit on the start-up path of every
// socat run (measured in scripts/bench). The low-level functions are deprecated in 3.0 but
// supported for its lifetime; this file is the only user.
#define OPENSSL_API_COMPAT 0x10101000L
#include "util/sha256.hpp"

#include <openssl/sha.h>
#include <stdexcept>

namespace asocat::util {

struct Sha256::Context {
    SHA256_CTX ctx;
};

Sha256::Sha256() : m_context(std::make_unique<Context>()) {
    if (SHA256_Init(&m_context->ctx) != 1) {
        throw std::runtime_error("SHA256_Init failed");
    }
}

Sha256::Sha256(Sha256&&) noexcept = default;
Sha256& Sha256::operator=(Sha256&&) noexcept = default;
Sha256::~Sha256() = default;

Sha256 Sha256::clone() const {
    Sha256 copy;
    copy.m_context->ctx = m_context->ctx; // plain data: copying it forks the computation
    return copy;
}

void Sha256::copy_state(const Sha256& other) {
    m_context->ctx = other.m_context->ctx;
}

void Sha256::update(const void* data, std::size_t size) {
    if (size > 0 && SHA256_Update(&m_context->ctx, data, size) != 1) {
        throw std::runtime_error("SHA256_Update failed");
    }
}

void Sha256::update(std::string_view bytes) {
    update(bytes.data(), bytes.size());
}

Digest256 Sha256::finish() {
    Digest256 digest{};
    if (SHA256_Final(digest.data(), &m_context->ctx) != 1 || SHA256_Init(&m_context->ctx) != 1) {
        throw std::runtime_error("SHA256_Final failed");
    }
    return digest;
}

Digest256 sha256(std::string_view bytes) {
    Sha256 hasher;
    hasher.update(bytes);
    return hasher.finish();
}

std::string to_hex(const std::uint8_t* data, std::size_t size) {
    static constexpr char digits[] = "0123456789abcdef";
    std::string out(size * 2, '0');
    for (std::size_t i = 0; i < size; ++i) {
        out[2 * i] = digits[data[i] >> 4];
        out[2 * i + 1] = digits[data[i] & 0x0f];
    }
    return out;
}

} // namespace asocat::util
