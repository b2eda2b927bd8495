#include "launch/enclosing_session.hpp"

#include <unistd.h>

#include <cerrno>
#include <linux/filter.h>
#include <linux/seccomp.h>
#include <sys/prctl.h>
#include <sys/syscall.h>
#include <sys/wait.h>

#include "util/procfs.hpp"

namespace asocat::launch {
namespace {

constexpr int kMaxAncestors = 64;

bool ancestor_runs(const SelfImage& self) {
    pid_t pid = ::getppid();
    for (int depth = 0; depth < kMaxAncestors && pid > 1; ++depth) {
        if (auto image = process_image(pid); image && *image == self.identity) {
            return true;
        }
        auto st = util::proc_stat(pid);
        if (!st) {
            return false;
        }
        pid = st->ppid;
    }
    return false;
}

// Whether a new seccomp listener is refused here because the filter tree has one already.
bool listener_taken() {
    const pid_t probe = ::fork();
    if (probe < 0) {
        return false;
    }
    if (probe == 0) {
        sock_filter allow = BPF_STMT(BPF_RET | BPF_K, SECCOMP_RET_ALLOW);
        sock_fprog program{1, &allow};
        (void)::prctl(PR_SET_NO_NEW_PRIVS, 1, 0, 0, 0); // this child only exits
        const long fd = ::syscall(SYS_seccomp, SECCOMP_SET_MODE_FILTER,
                                  SECCOMP_FILTER_FLAG_NEW_LISTENER, &program);
        ::_exit(fd < 0 && errno == EBUSY ? 1 : 0);
    }
    int status = 0;
    while (::waitpid(probe, &status, 0) < 0) {
        if (errno != EINTR) {
            return false;
        }
    }
    return WIFEXITED(status) && WEXITSTATUS(status) == 1;
}

} // namespace

bool inside_captured_session(const SelfImage& self) {
    return ancestor_runs(self) && listener_taken();
}

} // namespace asocat::launch
