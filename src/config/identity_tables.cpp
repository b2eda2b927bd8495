#include "config/identity_tables.hpp"

#include <algorithm>
#include <arpa/inet.h>
#include <array>
#include <regex>
#include <string_view>

#include "config/toml_fields.hpp"
#include "util/join.hpp"

namespace asocat::config {
namespace {

constexpr std::size_t kMaxPattern = 512;

const toml::table* table_of(const std::string& origin, const toml::node& node, const toml::key& key,
                            const char* shape, util::Error& error) {
    const auto* table = node.as_table();
    if (table == nullptr) {
        error = key_error(origin, key,
                          "'" + std::string(key.str()) + "' must be a table (" + shape + ")");
    }
    return table;
}

bool is_variable_name(std::string_view name) {
    const auto word = [](char c) {
        return (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') ||
               c == '_';
    };
    return !name.empty() && !(name.front() >= '0' && name.front() <= '9') &&
           std::all_of(name.begin(), name.end(), word);
}

util::Expected<std::vector<std::pair<std::string, std::string>>>
parse_bind(const std::string& origin, const toml::node& node, const toml::key& table_key) {
    util::Error error("");
    const auto* table = table_of(origin, node, table_key, "{ FACT = \"CLAIM\", ... }", error);
    if (table == nullptr) {
        return error;
    }
    std::vector<std::pair<std::string, std::string>> bind;
    for (const auto& [key, value] : *table) {
        if (std::find(kBindableFacts.begin(), kBindableFacts.end(), key.str()) ==
            kBindableFacts.end()) {
            return key_error(origin, key,
                             "cannot bind a token to '" + std::string(key.str()) +
                                 "' (facts: " + util::join(kBindableFacts, ", ") + ")");
        }
        auto claim = plain_string(origin, key, value, 256);
        if (!claim) {
            return claim.error();
        }
        bind.emplace_back(std::string(key.str()), std::move(*claim));
    }
    return bind;
}

util::Expected<OidcIssuer> parse_issuer(const std::string& origin, const toml::node& node,
                                        const toml::key& table_key) {
    util::Error error("");
    const auto* table = table_of(origin, node, table_key, "[[identity.oidc]]", error);
    if (table == nullptr) {
        return error;
    }
    OidcIssuer issuer;
    issuer.defined_at = where(origin, node.source());
    for (const auto& [key, value] : *table) {
        const std::string_view name = key.str();
        if (name == "issuer") {
            auto text = plain_string(origin, key, value);
            if (!text) {
                return text.error();
            }
            issuer.issuer = *text;
        } else if (name == "audience" || name == "mfa_acr") {
            auto list = string_list(origin, key, value);
            if (!list) {
                return list.error();
            }
            (name == "audience" ? issuer.audiences : issuer.mfa_acr) = *list;
        } else if (name == "jwks") {
            auto text = plain_string(origin, key, value, 4096);
            if (!text) {
                return text.error();
            }
            if (const auto why = text->front() == '/' ? "" : unacceptable_url(*text);
                !why.empty()) {
                return key_error(origin, key,
                                 "'jwks' must be an absolute path or an https:// URL: " + why);
            }
            issuer.jwks = *text;
        } else if (name == "jwks_ttl") {
            auto ms = positive(origin, key, value, true, 1000);
            if (!ms) {
                return ms.error();
            }
            issuer.jwks_ttl_ms = *ms;
        } else if (name == "bind") {
            auto bind = parse_bind(origin, value, key);
            if (!bind) {
                return bind.error();
            }
            issuer.bind = *bind;
        } else {
            return key_error(origin, key,
                             "unknown key 'identity.oidc." + std::string(name) +
                                 "' (known: issuer, audience, jwks, jwks_ttl, mfa_acr, bind)");
        }
    }
    for (const auto& [member, missing] : {std::pair{"issuer", issuer.issuer.empty()},
                                          std::pair{"audience", issuer.audiences.empty()},
                                          std::pair{"jwks", issuer.jwks.empty()}}) {
        if (missing) {
            return util::Error(issuer.defined_at + ": [[identity.oidc]] needs '" + member + "'");
        }
    }
    return issuer;
}

} // namespace

std::string unacceptable_url(const std::string& url) {
    constexpr std::string_view kHttps = "https://";
    constexpr std::string_view kHttp = "http://";
    const auto control = [](char c) { return static_cast<unsigned char>(c) <= 0x20 || c == 0x7f; };
    if (std::any_of(url.begin(), url.end(), control)) {
        return "it contains spaces or control characters";
    }
    if (url.starts_with(kHttps)) {
        return url.size() > kHttps.size() ? "" : "it names no host";
    }
    if (!url.starts_with(kHttp)) {
        return "only https:// is fetched";
    }
    // Plain HTTP is for a loopback server only (tests, a local token service): nothing on the
    // network can be trusted to deliver keys unauthenticated.
    std::string_view rest = std::string_view(url).substr(kHttp.size());
    rest = rest.substr(0, rest.find_first_of("/?#"));
    if (const auto at = rest.rfind('@'); at != std::string_view::npos) {
        rest = rest.substr(at + 1);
    }
    std::string_view host = rest;
    if (host.starts_with("[")) {
        host = host.substr(0, host.find(']') + 1);
    } else {
        host = host.substr(0, host.find(':'));
    }
    in_addr v4{};
    const std::string name(host);
    const bool loopback_v4 = ::inet_pton(AF_INET, name.c_str(), &v4) == 1 &&
                             (ntohl(v4.s_addr) >> 24) == 127; // not "127.example.com"
    if (host == "localhost" || host == "[::1]" || loopback_v4) {
        return "";
    }
    return "http:// is accepted only for a loopback host (127.0.0.0/8, [::1], localhost)";
}

util::Expected<void> parse_identity(const std::string& origin, const toml::node& node,
                                    const toml::key& table_key, IdentityValues& values) {
    util::Error error("");
    const auto* table = table_of(origin, node, table_key, "[identity]", error);
    if (table == nullptr) {
        return error;
    }
    for (const auto& [key, value] : *table) {
        const std::string_view name = key.str();
        if (name == "require_attested") {
            auto flag = boolean(origin, key, value);
            if (!flag) {
                return flag.error();
            }
            values.require_attested = *flag;
        } else if (name == "leeway" || name == "fetch_timeout") {
            auto ms = positive(origin, key, value, true, name == "leeway" ? 0 : 100);
            if (!ms) {
                return ms.error();
            }
            (name == "leeway" ? values.leeway_ms : values.fetch_timeout_ms) = *ms;
        } else if (name == "token_env") {
            auto variable = plain_string(origin, key, value, 256);
            if (!variable || !is_variable_name(*variable)) {
                return key_error(origin, key,
                                 "'token_env' must name an environment variable "
                                 "(letters, digits, _)");
            }
            values.token_env = *variable;
        } else if (name == "token_file") {
            auto path = absolute_path(origin, key, value);
            if (!path) {
                return path.error();
            }
            values.token_file = *path;
        } else if (name == "github_audience") {
            auto audience = plain_string(origin, key, value);
            if (!audience) {
                return audience.error();
            }
            values.github_audience = *audience;
        } else if (name == "oidc") {
            const auto* array = value.as_array();
            if (array == nullptr) {
                return key_error(origin, key,
                                 "'oidc' must be an array of tables ([[identity.oidc]])");
            }
            for (const auto& element : *array) {
                auto issuer = parse_issuer(origin, element, key);
                if (!issuer) {
                    return issuer.error();
                }
                values.oidc.push_back(std::move(*issuer));
            }
        } else {
            return key_error(origin, key,
                             "unknown key 'identity." + std::string(name) +
                                 "' (known: require_attested, leeway, fetch_timeout, token_env, "
                                 "token_file, github_audience, [[identity.oidc]])");
        }
    }
    return {};
}

util::Expected<void> parse_ticket(const std::string& origin, const toml::node& node,
                                  const toml::key& table_key, TicketValues& values) {
    util::Error error("");
    const auto* table = table_of(origin, node, table_key, "[ticket]", error);
    if (table == nullptr) {
        return error;
    }
    for (const auto& [key, value] : *table) {
        const std::string_view name = key.str();
        if (name == "pattern") {
            auto pattern = plain_string(origin, key, value, kMaxPattern);
            if (!pattern) {
                return pattern.error();
            }
            try {
                std::regex compiled(*pattern, std::regex::ECMAScript);
            } catch (const std::regex_error& bad) {
                return key_error(origin, key,
                                 "'pattern' is not a valid regular expression (ECMAScript): " +
                                     std::string(bad.what()));
            }
            values.pattern = *pattern;
        } else if (name == "required") {
            auto flag = boolean(origin, key, value);
            if (!flag) {
                return flag.error();
            }
            values.required = *flag;
        } else if (name == "id" || name == "approval_issuer" || name == "approval_claim") {
            auto text = plain_string(origin, key, value, name == "id" ? 16 * 1024 : 1024);
            if (!text) {
                return text.error();
            }
            (name == "id"                ? values.id
             : name == "approval_issuer" ? values.approval_issuer
                                         : values.approval_claim) = *text;
        } else {
            return key_error(origin, key,
                             "unknown key 'ticket." + std::string(name) +
                                 "' (known: pattern, required, id, approval_issuer, "
                                 "approval_claim)");
        }
    }
    return {};
}

} // namespace asocat::config
