#include "identity/token_source.hpp"

#include "config/settings.hpp"
#include "identity/http_fetch.hpp"
#include "identity/jwk.hpp"
#include "record/json_reader.hpp"
#include "util/io.hpp"

namespace asocat::identity {
namespace {

// Larger than any token accepted (jwt.hpp refuses them with a reason of their own).
constexpr std::size_t kMaxTokenRead = 64 * 1024;

std::string trimmed(std::string text) {
    while (!text.empty() && (text.back() == '\n' || text.back() == '\r' || text.back() == ' ' ||
                             text.back() == '\t')) {
        text.pop_back();
    }
    return text;
}

TokenSearch from_file(const std::string& path) {
    const auto problem = [&](const std::string& detail) -> TokenSearch {
        return TokenProblem{"file", path, "token-unreadable", detail};
    };
    if (path.front() != '/') {
        return problem("the token file must be given as an absolute path, got \"" + path + "\"");
    }
    auto text = util::read_regular_file(path, kMaxTokenRead);
    if (!text) {
        return problem(text.error().describe());
    }
    return FoundToken{trimmed(std::move(*text)), "file", path};
}

TokenSearch from_github(const config::Environment& env, const std::string& audience,
                        std::int64_t timeout_ms) {
    const auto url = env.get("ACTIONS_ID_TOKEN_REQUEST_URL");
    const auto bearer = env.get("ACTIONS_ID_TOKEN_REQUEST_TOKEN");
    if (!url || !bearer) {
        return std::monostate{};
    }
    const std::string shown = url->substr(0, url->find_first_of("?#"));
    const auto problem = [&](const std::string& detail) -> TokenSearch {
        return TokenProblem{"github-actions", shown, "token-fetch-failed", detail};
    };
    HttpRequest request;
    request.url = *url + (url->find('?') == std::string::npos ? "?" : "&") +
                  "audience=" + url_encode(audience);
    request.headers = {"Authorization: bearer " + *bearer, "Accept: application/json"};
    request.timeout_ms = timeout_ms;
    request.max_bytes = kMaxTokenRead;
    auto response = http_get(request);
    if (!response) {
        return problem(response.error().describe());
    }
    if (response->status != 200) {
        return problem("the token endpoint answered HTTP " + std::to_string(response->status));
    }
    record::JsonDocument document;
    const auto parsed = document.parse(response->body);
    const auto value = parsed && parsed.root().kind() == record::JsonKind::object
                           ? text_member(parsed.root(), "value")
                           : std::nullopt;
    if (!value) {
        return problem("the token endpoint's answer has no \"value\" string");
    }
    return FoundToken{*value, "github-actions", shown};
}

} // namespace

TokenSearch find_token(const config::IdentityValues& config, const config::Environment& env,
                       bool privileged, std::int64_t timeout_ms) {
    if (!privileged) {
        if (auto token = env.get(config::kEnvIdentityToken)) {
            return FoundToken{trimmed(std::move(*token)), "environment", config::kEnvIdentityToken};
        }
    }
    if (config.token_env) {
        if (auto token = env.get(*config.token_env)) {
            return FoundToken{trimmed(std::move(*token)), "environment", *config.token_env};
        }
    }
    if (!privileged) {
        if (auto path = env.get(config::kEnvIdentityTokenFile)) {
            return from_file(*path);
        }
    }
    if (config.token_file) {
        return from_file(*config.token_file);
    }
    if (!privileged && config.github_audience) {
        return from_github(env, *config.github_audience, timeout_ms);
    }
    return std::monostate{};
}

} // namespace asocat::identity
