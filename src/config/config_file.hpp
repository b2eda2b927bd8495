// The TOML configuration file (man audited-socat(1), CONFIGURATION). Parsing is strict: an
// unknown key, a wrong type or a relative path is an error naming file, line and column.
#pragma once

#include <optional>
#include <string>
#include <string_view>

#include "util/error.hpp"
#include "util/trusted_path.hpp"

namespace asocat::config {

struct ConfigValues {
    std::optional<std::string> socat_path;
    std::optional<std::string> log_dir;
    std::optional<bool> fail_open;
};

// Parses `text`; `origin` names the file in error messages.
util::Expected<ConfigValues> parse_config(std::string_view text, const std::string& origin);

// Reads and parses the file at `path` if it exists. The file and every directory above it must
// satisfy `policy` (util/trusted_path.hpp). nullopt: there is no such file.
util::Expected<std::optional<ConfigValues>> load_config_file(const std::string& path,
                                                             const util::TrustPolicy& policy);

} // namespace asocat::config
