// Reads the `claimed` identity tier from the environment and checks each claim against the
// kernel tier: sudo's variables against the process chain and the loginuid, SSH's against the
// chain. Nothing here trusts a claim; it records what was claimed and what agrees with it.
#pragma once

#include "config/environment.hpp"
#include "session/claimed_identity.hpp"
#include "session/kernel_identity.hpp"

namespace asocat::identity {

session::ClaimedIdentity collect_claims(const config::Environment& env,
                                        const session::KernelIdentity& kernel);

// "ADDRESS PORT" pairs as SSH writes them; nullopt unless ADDRESS is an IPv4 or IPv6 address
// and PORT a number from 1 to 65535.
std::optional<session::NetworkEndpoint> parse_endpoint(std::string_view address,
                                                       std::string_view port);

} // namespace asocat::identity
