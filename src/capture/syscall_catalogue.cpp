#include "capture/syscall_catalogue.hpp"

#include <sys/socket.h>
#include <sys/syscall.h>

namespace asocat::capture {
namespace {

// socat's internal diagnostics socket is polled with this length, twice around every I/O call;
// trapping it would make a relay about six times slower (DESIGN.md section 4).
constexpr std::uint64_t kDiagnosticsPollLength = 519;

} // namespace

const std::vector<TrappedSyscall>& trapped_syscalls() {
    using H = Handling;
    static const std::vector<TrappedSyscall> all{
        {SYS_read, "read", H::move_in},
        {SYS_readv, "readv", H::move_in},
        {SYS_pread64, "pread64", H::move_in},
        {SYS_preadv, "preadv", H::move_in},
        {SYS_preadv2, "preadv2", H::move_in},
        {SYS_recvfrom, "recvfrom", H::move_in},
        {SYS_recvmsg, "recvmsg", H::move_in},
        {SYS_recvmmsg, "recvmmsg", H::move_in},
        {SYS_write, "write", H::move_out},
        {SYS_writev, "writev", H::move_out},
        {SYS_pwrite64, "pwrite64", H::move_out},
        {SYS_pwritev, "pwritev", H::move_out},
        {SYS_pwritev2, "pwritev2", H::move_out},
        {SYS_sendto, "sendto", H::move_out},
        {SYS_sendmsg, "sendmsg", H::move_out},
        {SYS_sendmmsg, "sendmmsg", H::move_out},
        {SYS_socket, "socket", H::socket},
        {SYS_socketpair, "socketpair", H::socket},
        {SYS_bind, "bind", H::socket},
        {SYS_listen, "listen", H::socket},
        {SYS_accept, "accept", H::socket},
        {SYS_accept4, "accept4", H::socket},
        {SYS_connect, "connect", H::socket},
        {SYS_shutdown, "shutdown", H::socket},
        {SYS_close, "close", H::descriptor},
        {SYS_close_range, "close_range", H::descriptor},
        {SYS_dup2, "dup2", H::descriptor},
        {SYS_dup3, "dup3", H::descriptor},
        {SYS_clone, "clone", H::process},
        {SYS_clone3, "clone3", H::process},
        {SYS_fork, "fork", H::process},
        {SYS_vfork, "vfork", H::process},
        {SYS_execve, "execve", H::process},
        {SYS_execveat, "execveat", H::process},
        {SYS_exit_group, "exit_group", H::process},
        {SYS_sendfile, "sendfile", H::transfer},
        {SYS_splice, "splice", H::transfer},
        {SYS_tee, "tee", H::refuse},
        {SYS_vmsplice, "vmsplice", H::refuse},
        {SYS_copy_file_range, "copy_file_range", H::transfer},
        {SYS_io_uring_setup, "io_uring_setup", H::refuse},
        {SYS_process_vm_writev, "process_vm_writev", H::refuse},
        {SYS_rt_sigaction, "rt_sigaction", H::signal_action},
    };
    return all;
}

bool trapped_at(const TrappedSyscall& call, bool data_calls) {
    if (data_calls) {
        return true;
    }
    // Without data capture, calls that only move bytes run natively; io_uring stays refused,
    // since through it connect and accept would bypass the filter as well.
    switch (call.handling) {
    case Handling::move_in:
    case Handling::move_out:
    case Handling::transfer:
        return false;
    case Handling::refuse:
        return call.nr == SYS_io_uring_setup;
    default:
        return true;
    }
}

NotifyFilter socat_filter(bool data_calls) {
    std::vector<int> numbers;
    for (const auto& call : trapped_syscalls()) {
        if (trapped_at(call, data_calls)) {
            numbers.push_back(call.nr);
        }
    }
    std::vector<ArgumentExemption> exemptions;
    if (data_calls) {
        exemptions.push_back({SYS_recvfrom, 2, kDiagnosticsPollLength, 3, MSG_DONTWAIT});
    }
    return NotifyFilter(std::move(numbers), std::move(exemptions));
}

} // namespace asocat::capture
