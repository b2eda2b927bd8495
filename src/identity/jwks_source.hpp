// Where an issuer's keys come from: a JWKS file, read on every use, or an https:// URL, fetched
// and kept in the cache directory for the issuer's TTL (one file per URL, named by its SHA-256,
// replaced atomically). A token whose kid the cached set lacks may mean the issuer rotated its
// keys: the caller asks for a refetch once (`refresh`), and a set fetched in this run is never
// fetched again.
#pragma once

#include <cstdint>
#include <string>

#include "config/identity_config.hpp"
#include "identity/jwk.hpp"
#include "util/error.hpp"
#include "util/trusted_path.hpp"

namespace asocat::identity {

struct JwksOrigin {
    std::string cache_dir; // empty: no cache
    util::TrustPolicy policy{0};
    std::int64_t timeout_ms = 5000;
    std::int64_t now_ms = 0; // wall clock
};

class JwksSource {
public:
    JwksSource(const config::OidcIssuer& issuer, JwksOrigin origin)
        : m_issuer(issuer), m_origin(std::move(origin)) {}

    // The issuer's keys; with `refresh`, fetched anew unless this run fetched them already.
    util::Expected<JwkSet> load(bool refresh);
    // Whether load(true) could give a different set than the last load.
    bool can_refresh() const { return is_url() && !m_fetched; }

private:
    bool is_url() const { return m_issuer.jwks.front() != '/'; }

    const config::OidcIssuer& m_issuer;
    JwksOrigin m_origin;
    bool m_fetched = false; // in this run: a refetch would get the same set
};

} // namespace asocat::identity
