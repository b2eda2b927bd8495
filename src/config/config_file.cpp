#include "config/config_file.hpp"

#include <fcntl.h>

#include <algorithm>
#include <array>
#include <sys/stat.h>
#include <toml++/toml.h>

#include "util/io.hpp"

namespace asocat::config {
namespace {

constexpr std::size_t kMaxConfigSize = 1 << 20;

// Keys that later versions define (DESIGN.md section 9). Setting one now must not be silently
// ignored: a user who asks for a policy or a capture level and does not get it is misled.
constexpr std::array<std::string_view, 9> kReservedKeys = {
    "key", "capture", "policy", "identity", "ticket", "sinks", "retention", "alerts", "limits"};

std::string where(const std::string& origin, const toml::source_region& region) {
    return origin + ":" + std::to_string(region.begin.line) + ":" +
           std::to_string(region.begin.column);
}

util::Error key_error(const std::string& origin, const toml::key& key, const std::string& what) {
    return util::Error(where(origin, key.source()) + ": " + what);
}

util::Expected<std::string> absolute_path(const std::string& origin, const toml::key& key,
                                          const toml::node& node) {
    const auto* value = node.as_string();
    if (value == nullptr) {
        return key_error(origin, key,
                         "'" + std::string(key.str()) + "' must be a string (a quoted path)");
    }
    const std::string& path = value->get();
    if (path.empty() || path.front() != '/') {
        return key_error(origin, key,
                         "'" + std::string(key.str()) + "' must be an absolute path, got \"" +
                             path + "\"");
    }
    return path;
}

} // namespace

util::Expected<ConfigValues> parse_config(std::string_view text, const std::string& origin) {
    toml::table table;
    try {
        table = toml::parse(text, origin);
    } catch (const toml::parse_error& error) {
        return util::Error(where(origin, error.source()) + ": " + std::string(error.description()));
    }
    ConfigValues values;
    for (const auto& [key, node] : table) {
        const std::string_view name = key.str();
        if (name == "socat_path" || name == "log_dir") {
            auto path = absolute_path(origin, key, node);
            if (!path) {
                return path.error();
            }
            (name == "socat_path" ? values.socat_path : values.log_dir) = *path;
        } else if (name == "fail_open") {
            const auto* flag = node.as_boolean();
            if (flag == nullptr) {
                return key_error(origin, key, "'fail_open' must be true or false");
            }
            values.fail_open = flag->get();
        } else if (std::find(kReservedKeys.begin(), kReservedKeys.end(), name) !=
                   kReservedKeys.end()) {
            return key_error(origin, key,
                             "'" + std::string(name) +
                                 "' is not supported by this version of audited-socat yet; "
                                 "remove it");
        } else {
            return key_error(origin, key,
                             "unknown key '" + std::string(name) +
                                 "' (known keys: socat_path, log_dir, fail_open)");
        }
    }
    return values;
}

util::Expected<std::optional<ConfigValues>> load_config_file(const std::string& path,
                                                             const util::TrustPolicy& policy) {
    auto entry = util::resolve_trusted_entry(path, policy);
    if (!entry) {
        if (entry.error().errno_value() == ENOENT) {
            return std::optional<ConfigValues>();
        }
        return entry.error().with_context("config");
    }
    util::ScopedFd fd(::openat(entry->parent.fd.get(), entry->name.c_str(),
                               O_RDONLY | O_NOFOLLOW | O_NONBLOCK | O_NOCTTY | O_CLOEXEC));
    if (!fd) {
        if (errno == ENOENT) {
            return std::optional<ConfigValues>();
        }
        return util::Error::from_errno("config " + entry->path);
    }
    struct stat st {};
    if (::fstat(fd.get(), &st) != 0) {
        return util::Error::from_errno("config " + entry->path);
    }
    if (!S_ISREG(st.st_mode)) {
        return util::Error("config " + entry->path + " is not a regular file");
    }
    if (const auto why = util::untrusted_file_reason(st, policy); !why.empty()) {
        return util::Error("config " + entry->path + " is " + why +
                           "; refusing to read it (fix its owner or mode)");
    }
    auto text = util::read_all(fd.get(), kMaxConfigSize);
    if (!text) {
        return text.error().with_context("config " + entry->path);
    }
    auto values = parse_config(*text, entry->path);
    if (!values) {
        return values.error();
    }
    return std::optional<ConfigValues>(std::move(*values));
}

} // namespace asocat::config
