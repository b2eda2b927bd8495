// Identifiers that must not collide across machines: random (RFC 9562 version 4) UUIDs drawn
// from the kernel's CSPRNG.
#pragma once

#include <string>

#include "util/error.hpp"

namespace asocat::util {

Expected<std::string> random_uuid();

} // namespace asocat::util
