#include "capture/connection_ledger.hpp"

#include <dirent.h>
#include <fcntl.h>
#include <unistd.h>

#include <cstdlib>
#include <memory>
#include <string>

#include "util/io.hpp"

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

bool open_in(pid_t pid, ino_t inode, int skip_first, int skip_last) {
    const std::string dir_path = "/proc/" + std::to_string(pid) + "/fd";
    const std::unique_ptr<DIR, int (*)(DIR*)> dir(::opendir(dir_path.c_str()), &::closedir);
    if (!dir) {
        return false; // gone
    }
    const std::string wanted = "socket:[" + std::to_string(inode) + "]";
    while (const dirent* entry = ::readdir(dir.get())) {
        if (entry->d_name[0] < '0' || entry->d_name[0] > '9') {
            continue;
        }
        const int fd = std::atoi(entry->d_name);
        if (fd >= skip_first && fd <= skip_last) {
            continue;
        }
        if (auto target = util::read_link(::dirfd(dir.get()), entry->d_name);
            target && *target == wanted) {
            return true;
        }
    }
    return false;
}

std::vector<pid_t> children_of(pid_t pid) {
    std::vector<pid_t> children;
    const std::string path =
        "/proc/" + std::to_string(pid) + "/task/" + std::to_string(pid) + "/children";
    if (auto text = util::read_small_file(AT_FDCWD, path, 1 << 20)) {
        const char* at = text->c_str();
        char* end = nullptr;
        for (long child = std::strtol(at, &end, 10); end != at; child = std::strtol(at, &end, 10)) {
            children.push_back(static_cast<pid_t>(child));
            at = end;
        }
    }
    return children;
}

} // namespace

bool socket_held_elsewhere(ino_t inode, pid_t pid, int first, int last,
                           const std::vector<pid_t>& others) {
    if (open_in(pid, inode, first, last)) {
        return true;
    }
    for (const pid_t other : others) {
        if (other != pid && open_in(other, inode, 1, 0)) {
            return true;
        }
    }
    for (const pid_t child : children_of(pid)) {
        if (open_in(child, inode, 1, 0)) {
            return true;
        }
    }
    return false;
}

} // namespace asocat::capture
