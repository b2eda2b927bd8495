#include "evidence/signed_note.hpp"

#include <cstring>

#include "util/base64.hpp"
#include "util/sha256.hpp"
#include "util/utf8.hpp"

namespace asocat::evidence {
namespace {

constexpr std::uint8_t kEd25519Type = 0x01;
constexpr std::string_view kEmDashSpace = "\xE2\x80\x94 "; // U+2014 and a space
constexpr std::size_t kMaxNoteSize = 1 << 20;
constexpr std::size_t kMaxSignatures = 100;

std::string hex(const std::uint8_t* data, std::size_t size) {
    return util::to_hex(data, size);
}

// Text lines must be non-empty and free of control characters other than their "\n".
bool valid_text(std::string_view text) {
    if (text.empty() || text.back() != '\n' || !util::is_valid_utf8(text)) {
        return false;
    }
    bool line_start = true;
    for (const char c : text) {
        if (c == '\n') {
            if (line_start) {
                return false; // an empty line would end the text early
            }
            line_start = true;
            continue;
        }
        if (static_cast<unsigned char>(c) < 0x20) {
            return false;
        }
        line_start = false;
    }
    return true;
}

} // namespace

KeyId key_id(std::string_view name, const PublicKeyBytes& public_key) {
    util::Sha256 hasher;
    hasher.update(name);
    const std::uint8_t separator[2] = {'\n', kEd25519Type};
    hasher.update(separator, sizeof separator);
    hasher.update(public_key.data(), public_key.size());
    const auto digest = hasher.finish();
    return {digest[0], digest[1], digest[2], digest[3]};
}

bool valid_key_name(std::string_view name) {
    if (name.empty() || !util::is_valid_utf8(name)) {
        return false;
    }
    for (const char c : name) {
        if (c == ' ' || c == '+' || static_cast<unsigned char>(c) < 0x20 || c == 0x7F) {
            return false;
        }
    }
    return true;
}

std::string encode_vkey(std::string_view name, const PublicKeyBytes& public_key) {
    const KeyId id = key_id(name, public_key);
    std::string typed(1, static_cast<char>(kEd25519Type));
    typed.append(reinterpret_cast<const char*>(public_key.data()), public_key.size());
    return std::string(name) + "+" + hex(id.data(), id.size()) + "+" + util::base64_encode(typed);
}

util::Expected<ParsedVkey> parse_vkey(std::string_view vkey) {
    const auto first = vkey.find('+');
    const auto second = first == std::string_view::npos ? first : vkey.find('+', first + 1);
    if (second == std::string_view::npos) {
        return util::Error("not a verifier key (want <name>+<key id>+<key>)");
    }
    const std::string name(vkey.substr(0, first));
    const auto id_hex = vkey.substr(first + 1, second - first - 1);
    const auto typed = util::base64_decode(vkey.substr(second + 1));
    if (!valid_key_name(name)) {
        return util::Error("verifier key has an invalid name");
    }
    if (!typed || typed->size() != 33 || static_cast<std::uint8_t>((*typed)[0]) != kEd25519Type) {
        return util::Error("verifier key is not an Ed25519 key (type 0x01, 32 bytes)");
    }
    PublicKeyBytes raw{};
    std::memcpy(raw.data(), typed->data() + 1, raw.size());
    const KeyId id = key_id(name, raw);
    if (id_hex != hex(id.data(), id.size())) {
        return util::Error("verifier key ID does not match its name and key");
    }
    return ParsedVkey{name, raw};
}

util::Expected<PinnedKey> PinnedKey::from_vkey(std::string_view vkey) {
    auto parsed = parse_vkey(vkey);
    if (!parsed) {
        return parsed.error();
    }
    auto key = Ed25519Key::from_public(parsed->public_key);
    if (!key) {
        return key.error();
    }
    return PinnedKey(std::move(*key), std::move(parsed->name));
}

PinnedKey PinnedKey::from_key(Ed25519Key key, std::optional<std::string> name) {
    return PinnedKey(std::move(key), std::move(name));
}

bool PinnedKey::matches(std::string_view name, const KeyId& id) const {
    if (m_name && *m_name != name) {
        return false;
    }
    return key_id(name, m_key.public_key()) == id;
}

util::Expected<std::string> sign_note(std::string_view text, std::string_view name,
                                      const Ed25519Key& key) {
    if (!valid_text(text)) {
        return util::Error("note text must be non-empty lines of UTF-8, each ending in a newline");
    }
    if (!valid_key_name(name)) {
        return util::Error("invalid key name \"" + std::string(name) + "\"");
    }
    auto signature = key.sign(text);
    if (!signature) {
        return signature.error();
    }
    const KeyId id = key_id(name, key.public_key());
    std::string blob(reinterpret_cast<const char*>(id.data()), id.size());
    blob.append(reinterpret_cast<const char*>(signature->data()), signature->size());
    std::string note(text);
    note += '\n';
    note += kEmDashSpace;
    note += name;
    note += ' ';
    note += util::base64_encode(blob);
    note += '\n';
    return note;
}

OpenedNote open_note(std::string_view note, const PinnedKey& pinned) {
    OpenedNote opened;
    if (note.size() > kMaxNoteSize || !util::is_valid_utf8(note) || note.empty() ||
        note.back() != '\n') {
        opened.detail = "note is not UTF-8 text ending in a newline";
        return opened;
    }
    // The text ends at the last blank line; signature lines follow it.
    const auto split = note.rfind("\n\n");
    if (split == std::string_view::npos) {
        opened.detail = "note has no signatures";
        return opened;
    }
    opened.text = note.substr(0, split + 1);
    if (!valid_text(opened.text)) {
        opened.detail = "note text is malformed";
        return opened;
    }
    std::string_view rest = note.substr(split + 2);
    std::size_t count = 0;
    opened.verdict = NoteVerdict::not_signed;
    opened.detail = "no signature by the pinned key";
    while (!rest.empty()) {
        const auto end = rest.find('\n');
        const std::string_view line = rest.substr(0, end);
        rest.remove_prefix(end + 1);
        if (++count > kMaxSignatures || line.substr(0, kEmDashSpace.size()) != kEmDashSpace) {
            return {NoteVerdict::malformed, opened.text, "malformed signature line"};
        }
        const std::string_view body = line.substr(kEmDashSpace.size());
        const auto space = body.find(' ');
        if (space == std::string_view::npos) {
            return {NoteVerdict::malformed, opened.text, "malformed signature line"};
        }
        const std::string_view name = body.substr(0, space);
        const auto blob = util::base64_decode(body.substr(space + 1));
        if (!valid_key_name(name) || !blob || blob->size() < 5) {
            return {NoteVerdict::malformed, opened.text, "malformed signature line"};
        }
        KeyId id{};
        std::memcpy(id.data(), blob->data(), id.size());
        if (!pinned.matches(name, id)) {
            continue; // someone else's signature: not ours to judge
        }
        if (opened.verdict == NoteVerdict::verified) {
            continue; // one good signature by the pinned key decides
        }
        SignatureBytes signature{};
        if (blob->size() != 4 + signature.size()) {
            return {NoteVerdict::bad_signature, opened.text, "signature has the wrong length"};
        }
        std::memcpy(signature.data(), blob->data() + 4, signature.size());
        if (!pinned.key().verify(opened.text, signature)) {
            return {NoteVerdict::bad_signature, opened.text,
                    "signature by " + std::string(name) + " does not verify"};
        }
        opened.verdict = NoteVerdict::verified;
        opened.detail.clear();
    }
    return opened;
}

} // namespace asocat::evidence
