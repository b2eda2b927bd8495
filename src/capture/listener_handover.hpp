// Getting the seccomp listener out of the child that installed the filter, without the child
// making a single system call the filter traps. Sending it over a socket would not do: sendmsg
// and close are trapped, and a trapped call made before anyone holds the listener waits for an
// answer that cannot come (the child's own copy keeps the filter alive: a deadlock).
//
// Instead the child writes the listener's number into a page shared with the parent and wakes
// it with a futex (neither is trapped); the parent takes its own duplicate with pidfd_getfd.
// The child keeps its copy, which is close-on-exec, so the exec that follows drops it.
#pragma once

#include <atomic>
#include <cstdint>

#include "capture/notify_filter.hpp"
#include "util/error.hpp"
#include "util/scoped_fd.hpp"

namespace asocat::capture {

class ListenerHandover {
public:
    // Before fork: maps the shared page.
    static util::Expected<ListenerHandover> create();
    ListenerHandover(ListenerHandover&& other) noexcept;
    ListenerHandover& operator=(ListenerHandover&&) = delete;
    ListenerHandover(const ListenerHandover&) = delete;
    ~ListenerHandover();

    // In the child: installs `filter`, publishes the listener (or the failure) and waits until
    // the parent has taken it. No allocation, no trapped call. Returns 0, or the errno of the
    // failed installation, ECANCELED if the parent could not take it, ETIMEDOUT if it did not
    // within 10 s.
    int install_and_publish(const NotifyFilter& filter) const noexcept;

    // In the child, after install_and_publish: its own copy of the listener. It closes with
    // the exec that follows; a child that will not exec may close it itself if close is not
    // trapped (while it is open, the filter outlives the supervisor's copy).
    int published_listener() const noexcept { return m_shared->listener; }

    // In the parent: waits until the child has published, duplicates its listener through
    // `child_pidfd`, and lets the child go on. Fails if the child failed to install (with its
    // errno) or ended first.
    util::Expected<util::ScopedFd> take(int child_pidfd) const;

private:
    struct Shared {
        std::atomic<std::uint32_t> state; // kPending, kPublished, kFailed: a futex word
        int listener;
        int error;
        const char* step;
    };
    explicit ListenerHandover(Shared* shared) : m_shared(shared) {}
    Shared* m_shared;
};

} // namespace asocat::capture
