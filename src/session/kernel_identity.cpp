#include "session/kernel_identity.hpp"

#include <fcntl.h>
#include <grp.h>
#include <pwd.h>
#include <unistd.h>

#include <algorithm>
#include <string>
#include <string_view>
#include <vector>

#include "util/io.hpp"
#include "util/procfs.hpp"

namespace asocat::session {
namespace {

std::optional<std::string> user_name(uid_t uid) {
    struct passwd entry {};
    struct passwd* found = nullptr;
    std::vector<char> buffer(16384);
    if (::getpwuid_r(uid, &entry, buffer.data(), buffer.size(), &found) != 0 || !found) {
        return std::nullopt;
    }
    return std::string(entry.pw_name);
}

std::optional<std::string> group_name(gid_t gid) {
    struct group entry {};
    struct group* found = nullptr;
    std::vector<char> buffer(65536);
    if (::getgrgid_r(gid, &entry, buffer.data(), buffer.size(), &found) != 0 || !found) {
        return std::nullopt;
    }
    return std::string(entry.gr_name);
}

NamedId named_user(uid_t uid) {
    return {uid, user_name(uid)};
}
NamedId named_group(gid_t gid) {
    return {gid, group_name(gid)};
}

// Keeps whole arguments while they fit in `limit` bytes (the first one cut to fit if alone it
// does not), and says so when anything was left out.
void cut_args(ProcessSnapshot& process, std::size_t limit) {
    std::size_t kept = 0;
    std::size_t count = 0;
    for (; count < process.args.size(); ++count) {
        const std::size_t size = process.args[count].size();
        if (kept + size > limit) {
            break;
        }
        kept += size;
    }
    if (count == process.args.size()) {
        return;
    }
    process.args_truncated = true;
    if (count == 0) {
        process.args[0].resize(limit);
        count = 1;
    }
    process.args.resize(count);
}

// The first line of a small kernel or system file, without its newline; nullopt if unreadable
// or empty.
std::optional<std::string> first_line_of(const char* path) {
    auto content = util::read_small_file(AT_FDCWD, path, 256);
    if (!content) {
        return std::nullopt;
    }
    content->erase(std::min(content->find('\n'), content->size()));
    return content->empty() ? std::nullopt : std::optional<std::string>(std::move(*content));
}

// The unified hierarchy's line of /proc/<pid>/cgroup: "0::/path".
std::optional<std::string> cgroup_v2_path(pid_t pid) {
    const auto content =
        util::read_small_file(AT_FDCWD, "/proc/" + std::to_string(pid) + "/cgroup", 64 * 1024);
    if (!content) {
        return std::nullopt;
    }
    std::string_view rest(*content);
    while (!rest.empty()) {
        const auto end = std::min(rest.find('\n'), rest.size());
        const std::string_view line = rest.substr(0, end);
        if (line.starts_with("0::")) {
            return std::string(line.substr(3));
        }
        rest.remove_prefix(std::min(end + 1, rest.size()));
    }
    return std::nullopt;
}

} // namespace

ProcessSnapshot snapshot_process(pid_t pid) {
    ProcessSnapshot snapshot;
    snapshot.pid = pid;
    if (auto exe = util::proc_exe(pid)) {
        snapshot.executable = *exe;
    }
    if (auto comm = util::proc_comm(pid)) {
        snapshot.name = *comm;
    }
    if (auto args = util::proc_cmdline(pid)) {
        snapshot.args = std::move(*args);
    }
    return snapshot;
}

KernelIdentity collect_kernel_identity() {
    uid_t ruid = 0;
    uid_t euid = 0;
    uid_t suid = 0;
    ::getresuid(&ruid, &euid, &suid);
    gid_t rgid = 0;
    gid_t egid = 0;
    gid_t sgid = 0;
    ::getresgid(&rgid, &egid, &sgid);

    KernelIdentity identity;
    identity.uid = named_user(ruid);
    identity.euid = named_user(euid);
    identity.gid = named_group(rgid);
    identity.egid = named_group(egid);
    const int count = ::getgroups(0, nullptr);
    if (count > 0) {
        std::vector<gid_t> groups(static_cast<std::size_t>(count));
        const int got = ::getgroups(count, groups.data());
        for (int i = 0; i < got; ++i) {
            identity.groups.push_back(named_group(groups[static_cast<std::size_t>(i)]));
        }
    }
    const pid_t self = ::getpid();
    identity.loginuid = util::proc_loginuid(self);
    identity.audit_session = util::proc_audit_session(self);
    identity.parent = snapshot_process(::getppid());
    if (auto st = util::proc_stat(self)) {
        identity.tty = util::tty_name(st->tty_nr);
        identity.session_leader = st->session;
        if (identity.parent.pid != st->session) {
            identity.ancestors =
                ancestors_of(identity.parent.pid, st->session, KernelIdentity::kMaxAncestors);
        }
    }
    identity.cgroup = cgroup_v2_path(self);
    if (identity.cgroup) {
        identity.systemd_unit = systemd_unit_of(*identity.cgroup);
    }
    identity.machine_id = first_line_of("/etc/machine-id");
    identity.boot_id = first_line_of("/proc/sys/kernel/random/boot_id");
    return identity;
}

std::vector<ProcessSnapshot> ancestors_of(pid_t parent, pid_t session_leader, std::size_t limit) {
    std::vector<ProcessSnapshot> chain;
    pid_t current = parent;
    while (chain.size() < limit && current > 1 && current != session_leader) {
        const auto st = util::proc_stat(current);
        if (!st || st->ppid <= 0) {
            break; // gone, or the top of this pid namespace
        }
        current = st->ppid;
        chain.push_back(snapshot_process(current));
        cut_args(chain.back(), KernelIdentity::kMaxAncestorArgs);
    }
    return chain;
}

std::optional<std::string> systemd_unit_of(std::string_view cgroup) {
    while (!cgroup.empty()) {
        const auto slash = cgroup.rfind('/');
        const std::string_view last =
            slash == std::string_view::npos ? cgroup : cgroup.substr(slash + 1);
        if (last.ends_with(".service") || last.ends_with(".scope")) {
            return std::string(last);
        }
        if (slash == std::string_view::npos) {
            break;
        }
        cgroup = cgroup.substr(0, slash);
    }
    return std::nullopt;
}

} // namespace asocat::session
