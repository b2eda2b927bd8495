#include "config/settings.hpp"

#include <pwd.h>
#include <unistd.h>

#include <algorithm>
#include <array>
#include <string_view>

#include "config/config_file.hpp"
#include "session/capture_level.hpp"
#include "util/join.hpp"

namespace asocat::config {
namespace {

// The capture level when no configuration or variable sets one: every byte hashed, nothing
// stored (full keeps payload, which needs a retention decision the administrator makes).
constexpr session::CaptureLevel kDefaultCapture = session::CaptureLevel::digest;

// Contract names that later versions implement; set now, they stop the wrapper instead of being
// silently ignored.
constexpr std::array<std::string_view, 1> kReservedVariables = {"AUDITED_SOCAT_POLICY"};
constexpr std::array<std::string_view, 8> kKnownVariables = {
    kEnvConfig,  kEnvLogDir, kEnvSocat,         kEnvKey,
    kEnvCapture, kEnvTicket, kEnvIdentityToken, kEnvIdentityTokenFile};

bool contains(const auto& list, std::string_view name) {
    return std::find(list.begin(), list.end(), name) != list.end();
}

util::Expected<void> check_variable_names(const Environment& env) {
    for (const auto& name : env.names_with_prefix("AUDITED_SOCAT_")) {
        if (contains(kKnownVariables, name)) {
            continue;
        }
        if (contains(kReservedVariables, name)) {
            return util::Error("environment variable " + name +
                               " is not supported by this version of audited-socat yet; unset "
                               "it");
        }
        return util::Error("unknown environment variable " + name +
                           " (known: " + util::join(kKnownVariables, ", ") + ")");
    }
    return {};
}

util::Expected<std::optional<std::string>> absolute_variable(const Environment& env,
                                                             const char* name) {
    auto value = env.get(name);
    if (value && value->front() != '/') {
        return util::Error("environment variable " + std::string(name) +
                           " must be an absolute path, got \"" + *value + "\"");
    }
    return value;
}

std::optional<std::string> home_directory(const Environment& env) {
    if (auto home = env.get("HOME"); home && home->front() == '/') {
        return home;
    }
    struct passwd entry {};
    struct passwd* found = nullptr;
    std::vector<char> buffer(16384);
    if (::getpwuid_r(::geteuid(), &entry, buffer.data(), buffer.size(), &found) == 0 && found &&
        entry.pw_dir != nullptr && entry.pw_dir[0] == '/') {
        return std::string(entry.pw_dir);
    }
    return std::nullopt;
}

// $XDG_<kind>_HOME/audited-socat, or $HOME/<fallback>/audited-socat.
util::Expected<std::string> xdg_directory(const Environment& env, const char* variable,
                                          const char* fallback) {
    if (auto base = env.get(variable); base && base->front() == '/') {
        return *base + "/audited-socat";
    }
    auto home = home_directory(env);
    if (!home) {
        return util::Error(std::string("cannot find a home directory for ") + variable +
                           " (set HOME or " + kEnvLogDir + ")");
    }
    return *home + "/" + fallback + "/audited-socat";
}

// A later layer's value, where it sets one.
template <class T>
void take(std::optional<T>& value, const std::optional<T>& later) {
    if (later) {
        value = later;
    }
}

void apply(Settings& settings, const ConfigValues& values, Origin origin) {
    if (values.socat_path) {
        settings.socat_path = values.socat_path;
        settings.socat_path_origin = origin;
    }
    if (values.log_dir) {
        settings.log_dir = *values.log_dir;
    }
    if (values.fail_open) {
        settings.fail_open = *values.fail_open;
    }
    if (values.key) {
        settings.key = *values.key;
        settings.key_is_default = false;
    }
    if (values.key_name) {
        settings.key_name = values.key_name;
    }
    if (values.capture) {
        settings.capture = *values.capture;
        settings.capture_origin = origin;
    }
    const auto& e = values.evidence;
    take(settings.evidence.checkpoint_records, e.checkpoint_records);
    take(settings.evidence.checkpoint_interval_ms, e.checkpoint_interval_ms);
    take(settings.evidence.heartbeat_interval_ms, e.heartbeat_interval_ms);
    take(settings.evidence.rotate_size, e.rotate_size);
    const auto& i = values.identity;
    auto& identity = settings.identity;
    take(identity.require_attested, i.require_attested);
    take(identity.leeway_ms, i.leeway_ms);
    take(identity.fetch_timeout_ms, i.fetch_timeout_ms);
    take(identity.token_env, i.token_env);
    take(identity.token_file, i.token_file);
    take(identity.github_audience, i.github_audience);
    identity.oidc.insert(identity.oidc.end(), i.oidc.begin(), i.oidc.end());
    take(settings.ticket.pattern, values.ticket.pattern);
    take(settings.ticket.required, values.ticket.required);
    take(settings.ticket.id, values.ticket.id);
    take(settings.ticket.approval_issuer, values.ticket.approval_issuer);
    take(settings.ticket.approval_claim, values.ticket.approval_claim);
}

util::Expected<void> read_into(Settings& settings, const std::string& path, uid_t trusted_uid,
                               Origin origin, bool required) {
    auto values = load_config_file(path, util::TrustPolicy{trusted_uid});
    if (!values) {
        return values.error();
    }
    if (!values->has_value()) {
        if (required) {
            return util::Error("config " + path + " (from " + kEnvConfig + ") does not exist",
                               ENOENT);
        }
        return {};
    }
    apply(settings, **values, origin);
    settings.config_files.push_back(path);
    return {};
}

// Cross-table checks, once every layer is in.
util::Expected<void> check_identity(const Settings& settings) {
    if (const auto& approver = settings.ticket.approval_issuer) {
        const auto& oidc = settings.identity.oidc;
        if (std::none_of(oidc.begin(), oidc.end(),
                         [&](const OidcIssuer& issuer) { return issuer.issuer == *approver; })) {
            return util::Error("ticket.approval_issuer " + quoted_value(*approver) +
                               " names no [[identity.oidc]] issuer; add one for it");
        }
    }
    return {};
}

} // namespace

const char* origin_name(Origin origin) {
    switch (origin) {
    case Origin::builtin:
        return "builtin";
    case Origin::system_config:
        return "system-config";
    case Origin::user_config:
        return "user-config";
    case Origin::environment:
        return "environment";
    }
    return "unknown";
}

util::Expected<Settings> load_settings(const Environment& env, const Privilege& privilege,
                                       const Locations& locations) {
    Settings settings;
    settings.capture = kDefaultCapture;
    // The system file must be root's alone, whoever runs us.
    if (auto read = read_into(settings, locations.system_config, 0, Origin::system_config, false);
        !read) {
        return read.error();
    }
    if (privilege.privileged) {
        // sudo or set-id: the invoking user controls HOME, XDG_* and AUDITED_SOCAT_*; none of
        // it may steer a privileged run. In particular the capture level is the system
        // config's (or the built-in default): a sudo user can neither lower nor raise it.
        if (settings.log_dir.empty()) {
            settings.log_dir = locations.system_log_dir;
        }
        if (settings.key.empty()) {
            settings.key = locations.system_key;
        }
        settings.cache_dir = locations.system_cache_dir;
        if (auto checked = check_identity(settings); !checked) {
            return checked.error();
        }
        return settings;
    }

    if (auto names = check_variable_names(env); !names) {
        return names.error();
    }
    auto explicit_config = absolute_variable(env, kEnvConfig);
    if (!explicit_config) {
        return explicit_config.error();
    }
    if (*explicit_config) {
        if (auto read =
                read_into(settings, **explicit_config, privilege.euid, Origin::user_config, true);
            !read) {
            return read.error();
        }
        settings.environment_used.emplace_back(kEnvConfig);
    } else if (auto dir = xdg_directory(env, "XDG_CONFIG_HOME", ".config"); dir) {
        if (auto read = read_into(settings, *dir + "/config.toml", privilege.euid,
                                  Origin::user_config, false);
            !read) {
            return read.error();
        }
    }

    auto socat = absolute_variable(env, kEnvSocat);
    if (!socat) {
        return socat.error();
    }
    if (*socat) {
        settings.socat_path = **socat;
        settings.socat_path_origin = Origin::environment;
        settings.environment_used.emplace_back(kEnvSocat);
    }
    auto log_dir = absolute_variable(env, kEnvLogDir);
    if (!log_dir) {
        return log_dir.error();
    }
    if (*log_dir) {
        settings.log_dir = **log_dir;
        settings.environment_used.emplace_back(kEnvLogDir);
    }
    if (settings.log_dir.empty()) {
        auto state = xdg_directory(env, "XDG_STATE_HOME", ".local/state");
        if (!state) {
            return state.error();
        }
        settings.log_dir = *state;
    }
    if (auto key = env.get(kEnvKey)) {
        if (key->front() != '/' && key->find(':') == std::string::npos) {
            return util::Error("environment variable " + std::string(kEnvKey) +
                               " must be an absolute path or a key URI, got \"" + *key + "\"");
        }
        settings.key = *key;
        settings.key_is_default = false;
        settings.environment_used.emplace_back(kEnvKey);
    }
    if (auto capture = env.get(kEnvCapture)) {
        const auto level = session::parse_capture_level(*capture);
        if (!level) {
            return util::Error("environment variable " + std::string(kEnvCapture) +
                               " must be one of " + std::string(session::capture_level_names()) +
                               ", got " + quoted_value(*capture));
        }
        settings.capture = *level;
        settings.capture_origin = Origin::environment;
        settings.environment_used.emplace_back(kEnvCapture);
    }
    if (settings.key.empty()) {
        auto config = xdg_directory(env, "XDG_CONFIG_HOME", ".config");
        if (!config) {
            return config.error();
        }
        settings.key = *config + "/audit.key";
    }
    if (auto cache = xdg_directory(env, "XDG_CACHE_HOME", ".cache"); cache) {
        settings.cache_dir = *cache;
    }
    if (auto checked = check_identity(settings); !checked) {
        return checked.error();
    }
    return settings;
}

} // namespace asocat::config
