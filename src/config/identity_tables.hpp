// Parsing of the [identity] and [ticket] tables (config/identity_config.hpp): every key checked,
// errors naming file, line and column.
#pragma once

#include <string>
#include <toml++/toml.h>

#include "config/identity_config.hpp"
#include "util/error.hpp"

namespace asocat::config {

util::Expected<void> parse_identity(const std::string& origin, const toml::node& node,
                                    const toml::key& table_key, IdentityValues& values);
util::Expected<void> parse_ticket(const std::string& origin, const toml::node& node,
                                  const toml::key& table_key, TicketValues& values);

} // namespace asocat::config
