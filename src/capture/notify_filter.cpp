#include "capture/notify_filter.hpp"

#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <cstddef>
#include <linux/audit.h>
#include <linux/seccomp.h>
#include <stdexcept>
#include <sys/prctl.h>
#include <sys/syscall.h>

namespace asocat::capture {
namespace {

constexpr std::uint32_t kX32SyscallBit = 0x40000000;

constexpr std::uint32_t nr_offset() {
    return offsetof(seccomp_data, nr);
}
constexpr std::uint32_t arch_offset() {
    return offsetof(seccomp_data, arch);
}
// seccomp_data.args are 64 bits; BPF loads 32 at a time (little-endian: low word first).
constexpr std::uint32_t arg_offset(unsigned index, bool high) {
    return static_cast<std::uint32_t>(offsetof(seccomp_data, args) + 8 * index + (high ? 4 : 0));
}

// Builds the program with jumps to named targets, resolved to BPF's 8-bit forward offsets once
// the length is known.
class ProgramBuilder {
public:
    enum Target : int { next = -1, allow = -2, notify = -3, kill = -4 };

    void load(std::uint32_t offset) {
        m_code.push_back(BPF_STMT(BPF_LD | BPF_W | BPF_ABS, offset));
        m_targets.push_back({next, next});
    }
    // if (A == value) goto on_true; else goto on_false. Targets: an index or a Target.
    void jump_if_equal(std::uint32_t value, int on_true, int on_false) {
        m_code.push_back(BPF_JUMP(BPF_JMP | BPF_JEQ | BPF_K, value, 0, 0));
        m_targets.push_back({on_true, on_false});
    }
    void jump_if_at_least(std::uint32_t value, int on_true, int on_false) {
        m_code.push_back(BPF_JUMP(BPF_JMP | BPF_JGE | BPF_K, value, 0, 0));
        m_targets.push_back({on_true, on_false});
    }
    std::size_t size() const { return m_code.size(); }

    std::vector<sock_filter> finish() {
        const auto terminal = static_cast<int>(m_code.size());
        const auto index_of = [&](int target, std::size_t at) -> std::size_t {
            switch (target) {
            case next:
                return at + 1;
            case allow:
                return static_cast<std::size_t>(terminal);
            case notify:
                return static_cast<std::size_t>(terminal + 1);
            case kill:
                return static_cast<std::size_t>(terminal + 2);
            default:
                return static_cast<std::size_t>(target);
            }
        };
        for (std::size_t i = 0; i < m_code.size(); ++i) {
            if (BPF_CLASS(m_code[i].code) != BPF_JMP) {
                continue;
            }
            const std::size_t jt = index_of(m_targets[i].first, i) - (i + 1);
            const std::size_t jf = index_of(m_targets[i].second, i) - (i + 1);
            if (jt > 255 || jf > 255) {
                throw std::invalid_argument("seccomp program too long for BPF's jump offsets");
            }
            m_code[i].jt = static_cast<std::uint8_t>(jt);
            m_code[i].jf = static_cast<std::uint8_t>(jf);
        }
        m_code.push_back(BPF_STMT(BPF_RET | BPF_K, SECCOMP_RET_ALLOW));
        m_code.push_back(BPF_STMT(BPF_RET | BPF_K, SECCOMP_RET_USER_NOTIF));
        m_code.push_back(BPF_STMT(BPF_RET | BPF_K, SECCOMP_RET_KILL_PROCESS));
        return std::move(m_code);
    }

private:
    std::vector<sock_filter> m_code;
    std::vector<std::pair<int, int>> m_targets;
};

// A 64-bit argument equal to `value`, else notify. Leaves A clobbered.
void require_argument(ProgramBuilder& b, unsigned index, std::uint64_t value, int on_equal) {
    b.load(arg_offset(index, false));
    b.jump_if_equal(static_cast<std::uint32_t>(value), ProgramBuilder::next,
                    ProgramBuilder::notify);
    b.load(arg_offset(index, true));
    b.jump_if_equal(static_cast<std::uint32_t>(value >> 32), on_equal, ProgramBuilder::notify);
}

} // namespace

NotifyFilter::NotifyFilter(std::vector<int> trapped, std::vector<ArgumentExemption> exemptions) {
    for (const int nr : trapped) {
        if (nr < 0 || nr > 1023) {
            throw std::invalid_argument("NotifyFilter: syscall number out of range");
        }
    }
    for (const auto& e : exemptions) {
        if (e.length_arg > 5 || e.flags_arg > 5 ||
            std::find(trapped.begin(), trapped.end(), e.syscall_nr) == trapped.end()) {
            throw std::invalid_argument(
                "NotifyFilter: an exemption must name a trapped syscall and arguments 0-5");
        }
    }
    ProgramBuilder b;
    b.load(arch_offset());
    b.jump_if_equal(AUDIT_ARCH_X86_64, ProgramBuilder::next, ProgramBuilder::kill);
    b.load(nr_offset());
    b.jump_if_at_least(kX32SyscallBit, ProgramBuilder::kill, ProgramBuilder::next);
    for (const auto& e : exemptions) {
        // nr matches: decide here (allow or notify); otherwise skip the 9 instructions below
        // with A still holding nr.
        const auto after_block = static_cast<int>(b.size() + 1 + 8);
        b.jump_if_equal(static_cast<std::uint32_t>(e.syscall_nr), ProgramBuilder::next,
                        after_block);
        require_argument(b, e.length_arg, e.length, ProgramBuilder::next);
        require_argument(b, e.flags_arg, e.flags, ProgramBuilder::allow);
    }
    for (const int nr : trapped) {
        b.jump_if_equal(static_cast<std::uint32_t>(nr), ProgramBuilder::notify,
                        ProgramBuilder::next);
    }
    // Falls through to the first terminal: allow.
    m_program = b.finish();
}

NotifyFilter::Installed NotifyFilter::install() const noexcept {
    sock_fprog program{static_cast<unsigned short>(m_program.size()),
                       const_cast<sock_filter*>(m_program.data())};
    // WAIT_KILLABLE_RECV: once the supervisor has received a call, only a fatal signal
    // interrupts the wait, so a call is never performed twice.
    const unsigned long flags =
        SECCOMP_FILTER_FLAG_NEW_LISTENER | SECCOMP_FILTER_FLAG_WAIT_KILLABLE_RECV;
    long fd = ::syscall(SYS_seccomp, SECCOMP_SET_MODE_FILTER, flags, &program);
    if (fd < 0 && errno == EACCES) {
        // Without CAP_SYS_ADMIN the kernel requires no_new_privs (see the header).
        if (::prctl(PR_SET_NO_NEW_PRIVS, 1, 0, 0, 0) != 0) {
            return {-1, errno, "prctl(PR_SET_NO_NEW_PRIVS)"};
        }
        fd = ::syscall(SYS_seccomp, SECCOMP_SET_MODE_FILTER, flags, &program);
    }
    if (fd < 0) {
        return {-1, errno, "seccomp(SECCOMP_SET_MODE_FILTER)"};
    }
    return {static_cast<int>(fd), 0, nullptr};
}

} // namespace asocat::capture
