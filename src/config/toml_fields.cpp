#include "config/toml_fields.hpp"

#include <algorithm>

namespace asocat::config {

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

util::Expected<std::string> plain_string(const std::string& origin, const toml::key& key,
                                         const toml::node& node, std::size_t max_bytes) {
    const auto* value = node.as_string();
    const auto control = [](char c) { return static_cast<unsigned char>(c) < 0x20 || c == 0x7f; };
    if (value == nullptr || value->get().empty() || value->get().size() > max_bytes ||
        std::any_of(value->get().begin(), value->get().end(), control)) {
        return key_error(origin, key,
                         "'" + std::string(key.str()) +
                             "' must be a non-empty quoted string without control characters, "
                             "at most " +
                             std::to_string(max_bytes) + " bytes");
    }
    return value->get();
}

util::Expected<std::vector<std::string>> string_list(const std::string& origin,
                                                     const toml::key& key, const toml::node& node) {
    std::vector<std::string> list;
    if (const auto* array = node.as_array()) {
        for (const auto& element : *array) {
            auto text = plain_string(origin, key, element);
            if (!text) {
                return text.error();
            }
            list.push_back(std::move(*text));
        }
        if (list.empty()) {
            return key_error(origin, key, "'" + std::string(key.str()) + "' must not be empty");
        }
        return list;
    }
    auto text = plain_string(origin, key, node);
    if (!text) {
        return text.error();
    }
    list.push_back(std::move(*text));
    return list;
}

util::Expected<bool> boolean(const std::string& origin, const toml::key& key,
                             const toml::node& node) {
    const auto* flag = node.as_boolean();
    if (flag == nullptr) {
        return key_error(origin, key, "'" + std::string(key.str()) + "' must be true or false");
    }
    return flag->get();
}

// A positive number; seconds (possibly fractional) become milliseconds.
util::Expected<std::int64_t> positive(const std::string& origin, const toml::key& key,
                                      const toml::node& node, bool seconds, std::int64_t minimum) {
    double number = 0;
    if (const auto* integer = node.as_integer()) {
        number = static_cast<double>(integer->get());
    } else if (const auto* floating = node.as_floating_point(); floating != nullptr && seconds) {
        number = floating->get();
    } else {
        return key_error(origin, key, "'" + std::string(key.str()) + "' must be a number");
    }
    const double scaled = seconds ? number * 1000.0 : number;
    if (!(scaled >= static_cast<double>(minimum)) || scaled > 9.0e15) {
        return key_error(origin, key,
                         "'" + std::string(key.str()) + "' must be at least " +
                             (seconds ? std::to_string(minimum) + " ms" : std::to_string(minimum)));
    }
    return static_cast<std::int64_t>(scaled);
}

} // namespace asocat::config
