// meta: what the supervisor knows of TCP connections beyond one descriptor, by socket inode.
//
// At meta the byte counts are the kernel's, and the kernel counts per connection, not per
// descriptor. In fork mode a connection is held by the listener until it closes its copy and by
// the child that serves it; a connection handed on by dup or inheritance may be held twice in
// one process. So a connection is counted once, in the stream of the last descriptor (in any
// traced process) to let go of it; a stream that ends while another holder remains records no
// bytes, and whatever a connection was already counted for is never counted again.
#pragma once

#include <deque>
#include <optional>
#include <span>
#include <sys/types.h>
#include <unordered_map>
#include <vector>

#include "capture/descriptor_kind.hpp"
#include "session/capture_events.hpp"

namespace asocat::capture {

class ConnectionLedger {
public:
    struct Names {
        std::optional<session::Endpoint> local;
        std::optional<session::Endpoint> peer;
    };

    // The names of a connection the supervisor saw accepted or connected: a process that only
    // closes an inherited copy needs them (by then the peer may be gone, and getpeername fails).
    void remember(ino_t inode, Names names);
    const Names* names(ino_t inode) const;

    // What of the connection's `total` has not been given to a stream yet; it is given now.
    KernelCounts take(ino_t inode, KernelCounts total);

private:
    // The oldest connections are forgotten beyond this many.
    static constexpr std::size_t kMaxConnections = 4096;
    struct Entry {
        Names names;
        KernelCounts given;
    };
    Entry& entry(ino_t inode);

    std::unordered_map<ino_t, Entry> m_entries;
    std::deque<ino_t> m_order;
};

// The processes a search may meet: `live` ones are read; `exited` ones (past exit_group) have
// let go of everything and were counted as such, though /proc may list their descriptors for a
// moment, so they are never read, not even when met as a child.
struct TracedProcesses {
    std::vector<pid_t> live;
    std::vector<pid_t> exited;
};

// Which of the sockets `inodes` are still open somewhere after `pid` lets go of its descriptors
// [first, last]: in another descriptor of `pid`, in a child of `pid` the supervisor has not met
// yet (a fork child before its first trapped call), or in one of the live traced processes.
// From /proc/PID/fd, in that order (the likeliest holders first), each directory read at most
// once, and no further than the last of `inodes` found held; a process that is gone holds
// nothing.
std::vector<ino_t> sockets_held_elsewhere(std::span<const ino_t> inodes, pid_t pid, int first,
                                          int last, const TracedProcesses& traced);

} // namespace asocat::capture
