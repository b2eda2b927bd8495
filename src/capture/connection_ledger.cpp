#include "capture/connection_ledger.hpp"

#include <algorithm>
#include <climits>

#include "util/procfs.hpp"

namespace asocat::capture {

ConnectionLedger::Entry& ConnectionLedger::entry(ino_t inode) {
    if (auto found = m_entries.find(inode); found != m_entries.end()) {
        return found->second;
    }
    if (m_order.size() == kMaxConnections) {
        m_entries.erase(m_order.front());
        m_order.pop_front();
    }
    m_order.push_back(inode);
    return m_entries[inode];
}

void ConnectionLedger::remember(ino_t inode, Names names) {
    entry(inode).names = std::move(names);
}

const ConnectionLedger::Names* ConnectionLedger::names(ino_t inode) const {
    const auto found = m_entries.find(inode);
    return found == m_entries.end() ? nullptr : &found->second.names;
}

KernelCounts ConnectionLedger::take(ino_t inode, KernelCounts total) {
    KernelCounts& given = entry(inode).given;
    const KernelCounts rest{total.in > given.in ? total.in - given.in : 0,
                            total.out > given.out ? total.out - given.out : 0};
    given.in += rest.in;
    given.out += rest.out;
    return rest;
}

namespace {

// One call's search: the sockets not found held yet, and the processes already read.
class HolderSearch {
public:
    HolderSearch(std::span<const ino_t> inodes, std::span<const pid_t> never_read)
        : m_wanted(inodes.begin(), inodes.end()), m_read(never_read.begin(), never_read.end()) {
        std::sort(m_wanted.begin(), m_wanted.end());
        m_wanted.erase(std::unique(m_wanted.begin(), m_wanted.end()), m_wanted.end());
    }

    bool done() const { return m_wanted.empty(); }

    // Looks through `holder`'s descriptors but [skip_first, skip_last], unless it was read.
    void scan(pid_t holder, int skip_first = 1, int skip_last = 0) {
        if (done() || std::find(m_read.begin(), m_read.end(), holder) != m_read.end()) {
            return;
        }
        m_read.push_back(holder);
        if (skip_first <= 0 && skip_last == INT_MAX) {
            return; // it lets go of everything (an exit)
        }
        const auto fds = util::ProcFds::open(holder);
        if (!fds) {
            return; // gone (or not ours to read): nothing seen held there
        }
        for (const int fd : fds->numbers()) {
            if (fd >= skip_first && fd <= skip_last) {
                continue;
            }
            const auto target = fds->target(fd); // fails if closed since: not held there
            const auto inode = target ? util::socket_inode(*target) : std::nullopt;
            const auto found =
                inode ? std::find(m_wanted.begin(), m_wanted.end(), *inode) : m_wanted.end();
            if (found != m_wanted.end()) {
                m_held.push_back(*found);
                m_wanted.erase(found);
                if (done()) {
                    return;
                }
            }
        }
    }

    std::vector<ino_t> held() && { return std::move(m_held); }

private:
    std::vector<ino_t> m_wanted;
    std::vector<ino_t> m_held;
    std::vector<pid_t> m_read;
};

} // namespace

std::vector<ino_t> sockets_held_elsewhere(std::span<const ino_t> inodes, pid_t pid, int first,
                                          int last, const TracedProcesses& traced) {
    HolderSearch search(inodes, traced.exited);
    search.scan(pid, first, last);
    if (!search.done()) {
        // Newest first: the kernel lists children in fork order, and the one just forked is
        // the likeliest holder of what its parent closes.
        const auto children = util::proc_children(pid);
        for (auto child = children.rbegin(); child != children.rend(); ++child) {
            search.scan(*child);
        }
    }
    for (const pid_t other : traced.live) {
        search.scan(other);
    }
    return std::move(search).held();
}

} // namespace asocat::capture
