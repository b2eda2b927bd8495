#include "config/config_file.hpp"

#include <fcntl.h>

#include <algorithm>
#include <array>
#include <sys/stat.h>
#include <toml++/toml.h>

#include "config/identity_tables.hpp"
#include "config/toml_fields.hpp"
#include "session/capture_level.hpp"
#include "util/io.hpp"

namespace asocat::config {
namespace {

constexpr std::size_t kMaxConfigSize = 1 << 20;

// Keys that later versions define (DESIGN.md section 9). Setting one now must not be silently
// ignored: a user who asks for a policy and does not get it is misled.
constexpr std::array<std::string_view, 5> kReservedKeys = {"policy", "sinks", "retention", "alerts",
                                                           "limits"};
constexpr const char* kKnownKeys =
    "socat_path, log_dir, fail_open, key, key_name, capture, [evidence], [identity], [ticket]";

} // namespace

std::string quoted_value(std::string_view value) {
    static constexpr char kHex[] = "0123456789abcdef";
    std::string out = "\"";
    for (const char c : value) {
        const auto byte = static_cast<unsigned char>(c);
        if (byte < 0x20 || byte == 0x7f) {
            out += "\\x";
            out += kHex[byte >> 4];
            out += kHex[byte & 0xf];
        } else {
            if (c == '"' || c == '\\') {
                out += '\\';
            }
            out += c;
        }
    }
    out += '"';
    return out;
}

// A key is a path, or a URI for OpenSSL's store API ("pkcs11:...", "file:...").
util::Expected<std::string> key_location(const std::string& origin, const toml::key& key,
                                         const toml::node& node) {
    const auto* value = node.as_string();
    if (value != nullptr && value->get().find(':') != std::string::npos &&
        value->get().front() != '/') {
        return value->get();
    }
    return absolute_path(origin, key, node);
}

util::Expected<void> parse_evidence(const std::string& origin, const toml::node& node,
                                    const toml::key& table_key, EvidenceValues& values) {
    const auto* table = node.as_table();
    if (table == nullptr) {
        return key_error(origin, table_key, "'evidence' must be a table ([evidence])");
    }
    for (const auto& [key, value] : *table) {
        const std::string_view name = key.str();
        util::Expected<std::int64_t> number(std::int64_t{0});
        if (name == "checkpoint_records") {
            number = positive(origin, key, value, false, 1);
            values.checkpoint_records = number ? std::optional(*number) : std::nullopt;
        } else if (name == "checkpoint_interval") {
            number = positive(origin, key, value, true, 10);
            values.checkpoint_interval_ms = number ? std::optional(*number) : std::nullopt;
        } else if (name == "heartbeat_interval") {
            number = positive(origin, key, value, true, 100);
            values.heartbeat_interval_ms = number ? std::optional(*number) : std::nullopt;
        } else if (name == "rotate_size") {
            number = positive(origin, key, value, false, 64 * 1024);
            values.rotate_size = number ? std::optional(*number) : std::nullopt;
        } else {
            return key_error(origin, key,
                             "unknown key 'evidence." + std::string(name) +
                                 "' (known: checkpoint_records, checkpoint_interval, "
                                 "heartbeat_interval, rotate_size)");
        }
        if (!number) {
            return number.error();
        }
    }
    return {};
}

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
            auto flag = boolean(origin, key, node);
            if (!flag) {
                return flag.error();
            }
            values.fail_open = *flag;
        } else if (name == "key") {
            auto location = key_location(origin, key, node);
            if (!location) {
                return location.error();
            }
            values.key = *location;
        } else if (name == "key_name") {
            const auto* key_name = node.as_string();
            if (key_name == nullptr || key_name->get().empty() ||
                key_name->get().find_first_of(" +\t\n") != std::string::npos) {
                return key_error(origin, key,
                                 "'key_name' must be a non-empty string without spaces or '+'");
            }
            values.key_name = key_name->get();
        } else if (name == "capture") {
            const auto* level = node.as_string();
            const auto parsed =
                level != nullptr ? session::parse_capture_level(level->get()) : std::nullopt;
            if (!parsed) {
                return key_error(origin, key,
                                 "'capture' must be one of " +
                                     std::string(session::capture_level_names()) +
                                     (level != nullptr ? ", got " + quoted_value(level->get())
                                                       : std::string(" (a quoted string)")));
            }
            values.capture = parsed;
        } else if (name == "evidence") {
            if (auto parsed = parse_evidence(origin, node, key, values.evidence); !parsed) {
                return parsed.error();
            }
        } else if (name == "identity") {
            if (auto parsed = parse_identity(origin, node, key, values.identity); !parsed) {
                return parsed.error();
            }
        } else if (name == "ticket") {
            if (auto parsed = parse_ticket(origin, node, key, values.ticket); !parsed) {
                return parsed.error();
            }
        } else if (std::find(kReservedKeys.begin(), kReservedKeys.end(), name) !=
                   kReservedKeys.end()) {
            return key_error(origin, key,
                             "'" + std::string(name) +
                                 "' is not supported by this version of audited-socat yet; "
                                 "remove it");
        } else {
            return key_error(origin, key,
                             "unknown key '" + std::string(name) + "' (known keys: " + kKnownKeys +
                                 ")");
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
