// Signing key files. audit.key (0600) holds a one-line identity ("vkey <name>+<id>+<key>") and
// the PKCS#8 PEM private key; audit.pub (0644) holds the same vkey line and the PEM public key.
// The identity line lets the wrapper name its key in a log header without initialising
// OpenSSL's providers on socat's start-up path; the private key is parsed later and must match.
// A key can also come from an OpenSSL store URI ("pkcs11:...", "file:...").
#pragma once

#include <string>
#include <string_view>

#include "evidence/ed25519.hpp"
#include "evidence/signed_note.hpp"
#include "util/error.hpp"
#include "util/trusted_path.hpp"

namespace asocat::evidence {

inline constexpr const char* kPrivateKeyName = "audit.key";
inline constexpr const char* kPublicKeyName = "audit.pub";

struct SigningIdentity {
    std::string name;
    PublicKeyBytes public_key{};
    std::string vkey;
    std::string source; // the key file or store URI
};

// The identity line of a key file; checks owner, mode (no group/other access at all) and the
// directories above it, but does not parse the private key.
util::Expected<SigningIdentity> read_key_identity(const std::string& path,
                                                  const util::TrustPolicy& policy);

// Parses the private key of `identity` and checks that it is the key the identity names.
util::Expected<Ed25519Key> load_private_key(const SigningIdentity& identity,
                                            const util::TrustPolicy& policy);

// A key from an OpenSSL store URI; the name comes from configuration.
util::Expected<std::pair<SigningIdentity, Ed25519Key>> load_store_key(const std::string& uri,
                                                                      const std::string& name);

// Generates a key and writes audit.key and audit.pub into `directory` (created 0700 if
// missing), never replacing existing files; refuses a directory others can write. Each file
// appears complete or not at all; if audit.key appears meanwhile the error carries EEXIST.
util::Expected<SigningIdentity> create_key_files(const std::string& directory,
                                                 const std::string& name,
                                                 const util::TrustPolicy& policy);

// The pinned key for verification: a file holding a vkey line or a PEM public key.
util::Expected<PinnedKey> read_pinned_key(const std::string& path);

// "<user>@<host>/audited-socat", or "<host>/audited-socat" for root.
std::string default_key_name();

} // namespace asocat::evidence
