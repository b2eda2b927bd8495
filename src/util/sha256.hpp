// Incremental SHA-256 (OpenSSL's implementation, SHA-NI where the CPU has it).
#pragma once

#include <array>
#include <cstdint>
#include <memory>
#include <string>
#include <string_view>

namespace asocat::util {

using Digest256 = std::array<std::uint8_t, 32>;

class Sha256 {
public:
    Sha256();
    Sha256(Sha256&&) noexcept;
    Sha256& operator=(Sha256&&) noexcept;
    ~Sha256();

    void update(std::string_view bytes);
    void update(const void* data, std::size_t size);
    // An independent copy of this computation's state (to fork a digest at a prefix).
    Sha256 clone() const;
    // Makes this computation a copy of `other`'s, reusing its own storage.
    void copy_state(const Sha256& other);
    // Ends this computation; the object may then start a new one with update().
    Digest256 finish();

private:
    struct Context;
    std::unique_ptr<Context> m_context;
};

Digest256 sha256(std::string_view bytes);
std::string to_hex(const std::uint8_t* data, std::size_t size);
inline std::string to_hex(const Digest256& digest) {
    return to_hex(digest.data(), digest.size());
}

} // namespace asocat::util
