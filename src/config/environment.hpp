// The process environment as an immutable value, so settings code never calls getenv and tests
// can hand in any environment they like.
#pragma once

#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace asocat::config {

class Environment {
public:
    // From an envp-style array ("NAME=value", null-terminated).
    static Environment from_envp(const char* const* envp);
    explicit Environment(std::vector<std::string> entries) : m_entries(std::move(entries)) {}

    // The value of `name`; an empty value counts as unset (as XDG does).
    std::optional<std::string> get(std::string_view name) const;

    // Names of all variables starting with `prefix`, in environment order.
    std::vector<std::string> names_with_prefix(std::string_view prefix) const;

private:
    std::vector<std::string> m_entries;
};

} // namespace asocat::config
