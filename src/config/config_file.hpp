// The TOML configuration file (man audited-socat(1), CONFIGURATION). Parsing is strict: an
// unknown key, a wrong type or a relative path is an error naming file, line and column.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

#include "config/identity_config.hpp"
#include "session/capture_events.hpp"
#include "util/error.hpp"
#include "util/trusted_path.hpp"

namespace asocat::config {

// Tuning of the evidence writer ([evidence] table); absent values keep the defaults.
struct EvidenceValues {
    std::optional<std::int64_t> checkpoint_records;
    std::optional<std::int64_t> checkpoint_interval_ms;
    std::optional<std::int64_t> heartbeat_interval_ms;
    std::optional<std::int64_t> rotate_size;
};

struct ConfigValues {
    std::optional<std::string> socat_path;
    std::optional<std::string> log_dir;
    std::optional<bool> fail_open;
    std::optional<std::string> key; // a file path or an OpenSSL store URI ("pkcs11:...")
    std::optional<std::string> key_name;
    std::optional<session::CaptureLevel> capture;
    EvidenceValues evidence;
    IdentityValues identity;
    TicketValues ticket;
};

// `value` in double quotes for a one-line error message: control characters become \xNN and
// quotes and backslashes are escaped, so a value with a newline cannot split the line.
std::string quoted_value(std::string_view value);

// Parses `text`; `origin` names the file in error messages.
util::Expected<ConfigValues> parse_config(std::string_view text, const std::string& origin);

// Reads and parses the file at `path` if it exists. The file and every directory above it must
// satisfy `policy` (util/trusted_path.hpp). nullopt: there is no such file.
util::Expected<std::optional<ConfigValues>> load_config_file(const std::string& path,
                                                             const util::TrustPolicy& policy);

} // namespace asocat::config
