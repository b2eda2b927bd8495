// Two tiers of failure (see ARCHITECTURE.md): `Error` values inside `Expected<T>` for what a
// caller can handle, and `FatalError` for what only the top level handles (one line, an exit
// status).
#pragma once

#include <cerrno>
#include <stdexcept>
#include <string>
#include <utility>
#include <variant>

namespace asocat::util {

// What failed, in words a user can act on, plus the errno when a system call said why.
class Error {
public:
    explicit Error(std::string message, int errno_value = 0)
        : m_message(std::move(message)), m_errno(errno_value) {}

    // "<what>: <strerror> (<ERRNO>)" for system failures, "<what>" otherwise.
    static Error from_errno(std::string what, int errno_value = errno) {
        return Error(std::move(what), errno_value);
    }

    const std::string& message() const { return m_message; }
    int errno_value() const { return m_errno; }
    std::string describe() const;

    // The same error with more context in front: "reading config: <old message>".
    Error with_context(const std::string& context) const {
        return Error(context + ": " + m_message, m_errno);
    }

private:
    std::string m_message;
    int m_errno;
};

// Symbolic errno name ("ENOSPC"), or the number if unknown.
std::string errno_name(int errno_value);

// A value or the Error that prevented it.
template <class T>
class [[nodiscard]] Expected {
public:
    Expected(T value) : m_state(std::move(value)) {}
    Expected(Error error) : m_state(std::move(error)) {}

    bool has_value() const { return m_state.index() == 0; }
    explicit operator bool() const { return has_value(); }

    T& value() & { return checked_value(); }
    const T& value() const& { return const_cast<Expected*>(this)->checked_value(); }
    T&& value() && { return std::move(checked_value()); }
    T* operator->() { return &checked_value(); }
    const T* operator->() const { return &const_cast<Expected*>(this)->checked_value(); }
    T& operator*() & { return checked_value(); }
    const T& operator*() const& { return const_cast<Expected*>(this)->checked_value(); }

    const Error& error() const {
        if (has_value()) {
            throw std::logic_error("Expected::error() called on a value");
        }
        return std::get<1>(m_state);
    }

private:
    T& checked_value() {
        if (!has_value()) {
            throw std::logic_error("Expected::value() called on an error: " +
                                   std::get<1>(m_state).describe());
        }
        return std::get<0>(m_state);
    }

    std::variant<T, Error> m_state;
};

// Success, or the Error that prevented it.
template <>
class [[nodiscard]] Expected<void> {
public:
    Expected() = default;
    Expected(Error error) : m_error(std::move(error)), m_failed(true) {}

    bool has_value() const { return !m_failed; }
    explicit operator bool() const { return has_value(); }
    const Error& error() const {
        if (!m_failed) {
            throw std::logic_error("Expected<void>::error() called on success");
        }
        return m_error;
    }

private:
    Error m_error{""};
    bool m_failed = false;
};

// Thrown to the top level of a binary: print `message` as one line, exit with `status`.
class FatalError : public std::runtime_error {
public:
    FatalError(int status, const std::string& message)
        : std::runtime_error(message), m_status(status) {}
    FatalError(int status, const Error& error)
        : std::runtime_error(error.describe()), m_status(status) {}
    int status() const { return m_status; }

private:
    int m_status;
};

} // namespace asocat::util
