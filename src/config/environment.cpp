#include "config/environment.hpp"

namespace asocat::config {

Environment Environment::from_envp(const char* const* envp) {
    std::vector<std::string> entries;
    for (; envp != nullptr && *envp != nullptr; ++envp) {
        entries.emplace_back(*envp);
    }
    return Environment(std::move(entries));
}

std::optional<std::string> Environment::get(std::string_view name) const {
    // The first definition wins, as getenv(3) does.
    for (const auto& entry : m_entries) {
        if (entry.size() > name.size() && entry.compare(0, name.size(), name) == 0 &&
            entry[name.size()] == '=') {
            std::string value = entry.substr(name.size() + 1);
            if (value.empty()) {
                return std::nullopt;
            }
            return value;
        }
    }
    return std::nullopt;
}

std::vector<std::string> Environment::names_with_prefix(std::string_view prefix) const {
    std::vector<std::string> names;
    for (const auto& entry : m_entries) {
        const auto eq = entry.find('=');
        const std::string name = entry.substr(0, eq);
        if (name.compare(0, prefix.size(), prefix) == 0) {
            names.push_back(name);
        }
    }
    return names;
}

} // namespace asocat::config
