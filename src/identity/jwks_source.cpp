#include "identity/jwks_source.hpp"

#include <fcntl.h>
#include <unistd.h>

#include <sys/stat.h>

#include "identity/http_fetch.hpp"
#include "util/io.hpp"
#include "util/random_id.hpp"
#include "util/sha256.hpp"

namespace asocat::identity {
namespace {

constexpr std::size_t kMaxJwks = 1 << 20;

std::int64_t mtime_ms(const struct stat& st) {
    return static_cast<std::int64_t>(st.st_mtim.tv_sec) * 1000 + st.st_mtim.tv_nsec / 1'000'000;
}

std::string cache_name(const std::string& url) {
    return util::to_hex(util::sha256(url)) + ".jwks";
}

// The cached copy of `url`'s set if it is younger than `ttl_ms`; nullopt if there is none
// usable (missing, stale, unreadable: the caller fetches).
std::optional<std::string> read_cached(const util::TrustedDirectory& dir, const std::string& url,
                                       std::int64_t ttl_ms, std::int64_t now_ms) {
    const std::string name = cache_name(url);
    auto fd = util::open_private_file(dir.fd.get(), name, dir.path + "/" + name, O_RDONLY);
    if (!fd) {
        return std::nullopt;
    }
    struct stat st {};
    if (::fstat(fd->get(), &st) != 0 || now_ms - mtime_ms(st) >= ttl_ms ||
        mtime_ms(st) > now_ms + 60'000) {
        return std::nullopt;
    }
    auto text = util::read_all(fd->get(), kMaxJwks);
    return text ? std::optional(std::move(*text)) : std::nullopt;
}

// Replaces the cached copy atomically; a cache that cannot be written only costs a fetch.
void write_cached(const util::TrustedDirectory& dir, const std::string& url,
                  const std::string& text) {
    const auto suffix = util::random_uuid();
    if (!suffix) {
        return;
    }
    const std::string temporary = ".tmp-" + *suffix;
    auto fd = util::open_private_file(dir.fd.get(), temporary, dir.path + "/" + temporary,
                                      O_WRONLY | O_CREAT | O_EXCL);
    if (!fd) {
        return;
    }
    const bool written = util::write_all(fd->get(), text).has_value();
    fd->reset();
    if (!written ||
        ::renameat(dir.fd.get(), temporary.c_str(), dir.fd.get(), cache_name(url).c_str()) != 0) {
        ::unlinkat(dir.fd.get(), temporary.c_str(), 0);
    }
}

util::Expected<JwkSet> parsed(const std::string& text, const std::string& where) {
    auto set = JwkSet::parse(text);
    if (!set) {
        return set.error().with_context("JWKS " + where);
    }
    return set;
}

// The JWKS document at `url`, or why not.
util::Expected<std::string> fetch(const std::string& url, std::int64_t timeout_ms) {
    HttpRequest request;
    request.url = url;
    request.timeout_ms = timeout_ms;
    request.max_bytes = kMaxJwks;
    auto response = http_get(request);
    if (!response) {
        return response.error();
    }
    if (response->status != 200) {
        return util::Error("JWKS " + url + " answered HTTP " + std::to_string(response->status));
    }
    return std::move(response->body);
}

} // namespace

util::Expected<JwkSet> JwksSource::load(bool refresh) {
    if (!is_url()) {
        auto text = util::read_regular_file(m_issuer.jwks, kMaxJwks);
        if (!text) {
            return text.error().with_context("JWKS");
        }
        return parsed(*text, m_issuer.jwks);
    }
    std::optional<util::TrustedDirectory> cache;
    if (!m_origin.cache_dir.empty()) {
        auto dir = util::open_trusted_directory(m_origin.cache_dir, m_origin.policy, true);
        if (dir) {
            cache = std::move(*dir);
        }
    }
    if (cache && !refresh) {
        if (auto text = read_cached(*cache, m_issuer.jwks, m_issuer.jwks_ttl_ms, m_origin.now_ms)) {
            if (auto set = JwkSet::parse(*text)) {
                return set;
            }
        }
    }
    m_fetched = true;
    auto body = fetch(m_issuer.jwks, m_origin.timeout_ms);
    if (!body) {
        return body.error();
    }
    auto set = parsed(*body, m_issuer.jwks);
    if (set && cache) {
        write_cached(*cache, m_issuer.jwks, *body);
    }
    return set;
}

} // namespace asocat::identity
