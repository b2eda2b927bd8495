// The wrapper's settings, layered: built-in defaults, then /etc/audited-socat/config.toml, then
// (unless privileged) the user's config file, then AUDITED_SOCAT_* environment variables. Never
// from socat's argv.
#pragma once

#include <optional>
#include <string>
#include <vector>

#include "config/config_file.hpp"
#include "config/environment.hpp"
#include "config/privilege.hpp"
#include "session/capture_events.hpp"
#include "util/error.hpp"

namespace asocat::config {

// Where a setting's value came from, recorded with the session.
enum class Origin { builtin, system_config, user_config, environment };
const char* origin_name(Origin origin);

struct Settings {
    std::optional<std::string> socat_path; // nullopt: /usr/bin/socat, then a PATH search
    Origin socat_path_origin = Origin::builtin;
    std::string log_dir;
    bool fail_open = false;
    std::string key;                     // signing key file, or an OpenSSL store URI
    bool key_is_default = true;          // the embedded default: created on first use
    std::optional<std::string> key_name; // for store URIs (files carry their own name)
    // What the capture supervisor records. load_settings starts from the built-in default
    // (kDefaultCapture in settings.cpp); privileged runs take it from the system config only.
    session::CaptureLevel capture = session::CaptureLevel::digest;
    Origin capture_origin = Origin::builtin;
    EvidenceValues evidence;
    // Identity tokens and tickets: scalars from the last file that sets them, issuers from
    // every file in order. The token variables are not read here (identity/token_source).
    IdentityValues identity;
    TicketValues ticket;
    std::string cache_dir;                     // fetched JWKS; empty: none (every run fetches)
    std::vector<std::string> config_files;     // files read, in order
    std::vector<std::string> environment_used; // variables that applied
};

// Fixed places, overridable for unit tests only (the binary always uses the defaults).
struct Locations {
    std::string system_config = "/etc/audited-socat/config.toml";
    std::string system_log_dir = "/var/log/audited-socat";
    std::string system_key = "/etc/audited-socat/audit.key";
    std::string system_cache_dir = "/var/cache/audited-socat";
};

// Environment variables of the interface contract (DESIGN.md section 9).
inline constexpr const char* kEnvConfig = "AUDITED_SOCAT_CONFIG";
inline constexpr const char* kEnvLogDir = "AUDITED_SOCAT_LOG_DIR";
inline constexpr const char* kEnvSocat = "AUDITED_SOCAT_SOCAT";
inline constexpr const char* kEnvKey = "AUDITED_SOCAT_KEY";
inline constexpr const char* kEnvCapture = "AUDITED_SOCAT_CAPTURE";
// Honoured also when privileged: a ticket is a claim, recorded as given.
inline constexpr const char* kEnvTicket = "AUDITED_SOCAT_TICKET";
inline constexpr const char* kEnvIdentityToken = "AUDITED_SOCAT_IDENTITY_TOKEN";
inline constexpr const char* kEnvIdentityTokenFile = "AUDITED_SOCAT_IDENTITY_TOKEN_FILE";

util::Expected<Settings> load_settings(const Environment& env, const Privilege& privilege,
                                       const Locations& locations = {});

} // namespace asocat::config
