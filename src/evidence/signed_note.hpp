// C2SP signed notes (c2sp.org/signed-note): a text, a blank line, and signature lines
// "— <key name> <base64(key ID || signature)>". Checkpoints are signed notes, so any
// transparency-log tooling can read ours. Ed25519 only (signature type 0x01).
#pragma once

#include <array>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "evidence/ed25519.hpp"
#include "util/error.hpp"

namespace asocat::evidence {

using KeyId = std::array<std::uint8_t, 4>;

// SHA-256(name || 0x0A || 0x01 || public key)[:4]: binds a signature line to name and key.
KeyId key_id(std::string_view name, const PublicKeyBytes& public_key);

// Non-empty UTF-8 without spaces, "+" or control characters.
bool valid_key_name(std::string_view name);

// A vkey taken apart and checked (name valid, Ed25519 type, key ID matching name and key), with
// no OpenSSL object built: reading an identity costs no library start-up.
struct ParsedVkey {
    std::string name;
    PublicKeyBytes public_key{};
};
util::Expected<ParsedVkey> parse_vkey(std::string_view vkey);

// The key a verifier trusts. Built from a vkey ("<name>+<hex id>+<base64(0x01 || key)>"),
// which pins the name too, or from a bare public key (PEM), which matches any name whose key ID
// fits: the ID is derived from name and key, so it cannot be claimed for another key.
class PinnedKey {
public:
    static util::Expected<PinnedKey> from_vkey(std::string_view vkey);
    static PinnedKey from_key(Ed25519Key key, std::optional<std::string> name = std::nullopt);

    const Ed25519Key& key() const { return m_key; }
    const std::optional<std::string>& name() const { return m_name; }
    // Whether a signature line with this name and ID claims to be by this key.
    bool matches(std::string_view name, const KeyId& id) const;

private:
    PinnedKey(Ed25519Key key, std::optional<std::string> name)
        : m_key(std::move(key)), m_name(std::move(name)) {}
    Ed25519Key m_key;
    std::optional<std::string> m_name;
};

std::string encode_vkey(std::string_view name, const PublicKeyBytes& public_key);

// Signs `text` (non-empty lines, each ending in "\n") and returns the complete note.
util::Expected<std::string> sign_note(std::string_view text, std::string_view name,
                                      const Ed25519Key& key);

enum class NoteVerdict {
    verified,      // a signature line by the pinned key verifies
    not_signed,    // well formed, but no line claims the pinned key
    bad_signature, // a line claims the pinned key and does not verify
    malformed,
};

struct OpenedNote {
    NoteVerdict verdict = NoteVerdict::malformed;
    std::string_view text; // the signed text, including its final "\n"
    std::string detail;    // why, when not verified
};

// Splits and checks a note against `pinned`. Lines by other keys are ignored, as the spec says.
OpenedNote open_note(std::string_view note, const PinnedKey& pinned);

} // namespace asocat::evidence
