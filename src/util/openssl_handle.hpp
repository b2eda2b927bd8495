// Ownership of OpenSSL objects: a unique_ptr whose deleter is the object's own free function,
// so every handle is released on every path (RAII for each OpenSSL object).
#pragma once

#include <memory>
#include <openssl/bio.h>
#include <openssl/evp.h>

namespace asocat::util {

template <auto Free>
struct OpenSslFree {
    template <class T>
    void operator()(T* object) const noexcept {
        Free(object);
    }
};

// e.g. OpenSslPtr<EVP_MD_CTX, EVP_MD_CTX_free>
template <class T, auto Free>
using OpenSslPtr = std::unique_ptr<T, OpenSslFree<Free>>;

// The handles several modules use.
using MdContext = OpenSslPtr<EVP_MD_CTX, EVP_MD_CTX_free>;
using PkeyContext = OpenSslPtr<EVP_PKEY_CTX, EVP_PKEY_CTX_free>;
using Bio = OpenSslPtr<BIO, BIO_free_all>;

} // namespace asocat::util
