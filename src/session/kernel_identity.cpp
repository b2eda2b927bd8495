#include "session/kernel_identity.hpp"

#include <grp.h>
#include <pwd.h>
#include <unistd.h>

#include <vector>

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

    KernelIdentity identity{named_user(ruid),
                            named_user(euid),
                            named_group(rgid),
                            named_group(egid),
                            {},
                            {},
                            {},
                            {},
                            {}};
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
    if (auto st = util::proc_stat(self)) {
        identity.tty = util::tty_name(st->tty_nr);
    }
    identity.parent = snapshot_process(::getppid());
    return identity;
}

} // namespace asocat::session
