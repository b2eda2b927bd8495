#include "evidence/key_files.hpp"

#include <fcntl.h>
#include <pwd.h>
#include <unistd.h>

#include <cstdio>
#include <sys/stat.h>
#include <sys/utsname.h>
#include <vector>

#include "util/io.hpp"
#include "util/random_id.hpp"

namespace asocat::evidence {
namespace {

constexpr std::string_view kIdentityPrefix = "vkey ";
constexpr std::size_t kMaxKeyFile = 64 * 1024;

std::string octal(mode_t mode) {
    char buffer[8];
    std::snprintf(buffer, sizeof buffer, "%04o", static_cast<unsigned>(mode & 07777));
    return buffer;
}

// Reads a private key file after checking everything an attacker could have arranged.
util::Expected<std::string> read_private_file(const std::string& path,
                                              const util::TrustPolicy& policy) {
    auto entry = util::resolve_trusted_entry(path, policy);
    if (!entry) {
        return entry.error().with_context("signing key");
    }
    util::ScopedFd fd(::openat(entry->parent.fd.get(), entry->name.c_str(),
                               O_RDONLY | O_NOFOLLOW | O_NONBLOCK | O_NOCTTY | O_CLOEXEC));
    if (!fd) {
        return util::Error::from_errno("signing key " + entry->path);
    }
    struct stat st {};
    if (::fstat(fd.get(), &st) != 0) {
        return util::Error::from_errno("signing key " + entry->path);
    }
    if (!S_ISREG(st.st_mode)) {
        return util::Error("signing key " + entry->path + " is not a regular file");
    }
    if (st.st_uid != ::geteuid()) {
        return util::Error("signing key " + entry->path + " is owned by uid " +
                               std::to_string(st.st_uid) + ", not " + std::to_string(::geteuid()),
                           EPERM);
    }
    if ((st.st_mode & 077) != 0) {
        return util::Error("signing key " + entry->path +
                               " is accessible by group or others (mode " + octal(st.st_mode) +
                               "); run chmod 600 " + entry->path,
                           EPERM);
    }
    auto text = util::read_all(fd.get(), kMaxKeyFile);
    if (!text) {
        return text.error().with_context("signing key " + entry->path);
    }
    return text;
}

// The identity line of a key or public key file, if it has one.
std::optional<std::string_view> identity_line(std::string_view text) {
    if (text.substr(0, kIdentityPrefix.size()) != kIdentityPrefix) {
        return std::nullopt;
    }
    const auto end = text.find('\n');
    return text.substr(kIdentityPrefix.size(), end - kIdentityPrefix.size());
}

util::Expected<SigningIdentity> identity_from_vkey(std::string_view vkey,
                                                   const std::string& source) {
    auto parsed = parse_vkey(vkey);
    if (!parsed) {
        return parsed.error().with_context(source);
    }
    return SigningIdentity{std::move(parsed->name), parsed->public_key, std::string(vkey), source};
}

// Removes a temporary name when it goes out of scope, whether or not it was published.
struct TemporaryName {
    int dir;
    std::string name;
    ~TemporaryName() { ::unlinkat(dir, name.c_str(), 0); }
};

// Writes `content` under a temporary name, syncs it, then links it to `name` if that does not
// exist yet. The file appears complete or not at all, so two processes creating the default
// key at once never read half a key: exactly one link succeeds, the other gets EEXIST.
util::Expected<void> publish_new_file(int dir, const std::string& name, const std::string& path,
                                      std::string_view content, mode_t mode) {
    auto unique = util::random_uuid();
    if (!unique) {
        return unique.error();
    }
    const TemporaryName temporary{dir, "." + name + "." + *unique};
    util::ScopedFd fd(::openat(dir, temporary.name.c_str(),
                               O_WRONLY | O_CREAT | O_EXCL | O_NOFOLLOW | O_CLOEXEC, mode));
    if (!fd) {
        return util::Error::from_errno("cannot create a file next to " + path);
    }
    if (::fchmod(fd.get(), mode) != 0) { // the umask must not widen or narrow it
        return util::Error::from_errno("cannot set the mode of " + path);
    }
    if (auto written = util::write_all(fd.get(), content); !written) {
        return written.error().with_context(path);
    }
    if (::fsync(fd.get()) != 0) {
        return util::Error::from_errno("cannot sync " + path);
    }
    if (::linkat(dir, temporary.name.c_str(), dir, name.c_str(), 0) != 0) {
        const int err = errno;
        if (err == EEXIST) {
            return util::Error(path + " already exists; remove it or choose another directory",
                               EEXIST);
        }
        return util::Error::from_errno("cannot create " + path, err);
    }
    if (::fsync(dir) != 0) { // the new name itself must survive a crash
        return util::Error::from_errno("cannot sync the directory of " + path);
    }
    return {};
}

} // namespace

std::string default_key_name() {
    struct utsname names {};
    const std::string host = ::uname(&names) == 0 ? names.nodename : "localhost";
    if (::geteuid() == 0) {
        return host + "/audited-socat";
    }
    struct passwd entry {};
    struct passwd* found = nullptr;
    std::vector<char> buffer(16384);
    std::string user = std::to_string(::geteuid());
    if (::getpwuid_r(::geteuid(), &entry, buffer.data(), buffer.size(), &found) == 0 && found) {
        user = entry.pw_name;
    }
    std::string name = user + "@" + host + "/audited-socat";
    return valid_key_name(name) ? name
                                : std::to_string(::geteuid()) + "@" + host + "/audited-socat";
}

util::Expected<SigningIdentity> read_key_identity(const std::string& path,
                                                  const util::TrustPolicy& policy) {
    auto text = read_private_file(path, policy);
    if (!text) {
        return text.error();
    }
    const auto line = identity_line(*text);
    if (!line) {
        return util::Error("signing key " + path +
                           " has no identity line (\"vkey <name>+<id>+<key>\"); create keys "
                           "with socat-audit keygen");
    }
    return identity_from_vkey(*line, path);
}

util::Expected<Ed25519Key> load_private_key(const SigningIdentity& identity,
                                            const util::TrustPolicy& policy) {
    auto text = read_private_file(identity.source, policy);
    if (!text) {
        return text.error();
    }
    auto key = Ed25519Key::from_private_pem(*text, identity.source);
    if (!key) {
        return key.error();
    }
    if (key->public_key() != identity.public_key) {
        return util::Error("signing key " + identity.source +
                           ": the private key does not match its identity line");
    }
    return key;
}

util::Expected<std::pair<SigningIdentity, Ed25519Key>> load_store_key(const std::string& uri,
                                                                      const std::string& name) {
    auto key = Ed25519Key::from_store_uri(uri);
    if (!key) {
        return key.error();
    }
    if (!valid_key_name(name)) {
        return util::Error("invalid key name \"" + name + "\"");
    }
    SigningIdentity identity{name, key->public_key(), encode_vkey(name, key->public_key()), uri};
    return std::make_pair(std::move(identity), std::move(*key));
}

util::Expected<SigningIdentity> create_key_files(const std::string& directory,
                                                 const std::string& name,
                                                 const util::TrustPolicy& policy) {
    if (!valid_key_name(name)) {
        return util::Error("invalid key name \"" + name + "\" (no spaces or '+')");
    }
    auto dir = util::open_trusted_directory(directory, policy, true);
    if (!dir) {
        return dir.error().with_context("key directory");
    }
    auto key = Ed25519Key::generate();
    if (!key) {
        return key.error();
    }
    auto private_pem = key->private_pem();
    auto public_pem = key->public_pem();
    if (!private_pem || !public_pem) {
        return !private_pem ? private_pem.error() : public_pem.error();
    }
    const std::string vkey = encode_vkey(name, key->public_key());
    const std::string base = dir->path == "/" ? "" : dir->path;
    // An O_PATH directory cannot be used to create files: reopen it for real.
    util::ScopedFd real(::openat(dir->fd.get(), ".", O_RDONLY | O_DIRECTORY | O_CLOEXEC));
    if (!real) {
        return util::Error::from_errno("cannot open key directory " + dir->path);
    }
    const std::string private_path = base + "/" + kPrivateKeyName;
    if (auto written =
            publish_new_file(real.get(), kPrivateKeyName, private_path,
                             std::string(kIdentityPrefix) + vkey + "\n" + *private_pem, 0600);
        !written) {
        return written.error();
    }
    if (auto written = publish_new_file(real.get(), kPublicKeyName, base + "/" + kPublicKeyName,
                                        vkey + "\n" + *public_pem, 0644);
        !written) {
        return written.error();
    }
    return SigningIdentity{name, key->public_key(), vkey, private_path};
}

util::Expected<PinnedKey> read_pinned_key(const std::string& path) {
    auto text = util::read_small_file(AT_FDCWD, path, kMaxKeyFile);
    if (!text) {
        return text.error().with_context("public key");
    }
    // A vkey line (ours start with it, with or without the "vkey " prefix) pins the name too.
    std::string_view first(*text);
    first = first.substr(0, first.find('\n'));
    if (first.substr(0, kIdentityPrefix.size()) == kIdentityPrefix) {
        first.remove_prefix(kIdentityPrefix.size());
    }
    if (!first.empty() && first.find("-----") == std::string_view::npos) {
        auto pinned = PinnedKey::from_vkey(first);
        if (!pinned) {
            return pinned.error().with_context("public key " + path);
        }
        return pinned;
    }
    auto key = Ed25519Key::from_public_pem(*text, path);
    if (!key) {
        return key.error();
    }
    return PinnedKey::from_key(std::move(*key));
}

} // namespace asocat::evidence
