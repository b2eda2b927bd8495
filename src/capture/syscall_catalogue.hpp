// Which system calls the capture engine traps, and what it will do with each: the contract the
// supervisor implements, kept as data so that the filter, the dispatcher and the docs read the
// same list. Derived from what socat 1.7.4 and the programs it runs (EXEC, SYSTEM) call
// (DESIGN.md section 4). Everything that moves bytes is either performed by the supervisor or
// refused; nothing that moves bytes is let through unseen.
#pragma once

#include <string_view>
#include <vector>

#include "capture/notify_filter.hpp"

namespace asocat::capture {

enum class Handling {
    move_in,       // bytes into the caller (read, recv*): performed, hashed, copied in
    move_out,      // bytes out of the caller (write, send*): copied out, performed, hashed
    socket,        // socket lifecycle (socket, bind, listen, accept, connect, shutdown, names)
    descriptor,    // close, dup*, fcntl: borrowed duplicates are forgotten before it proceeds
    process,       // fork, clone, exec, exit: a new process, a new image, or its end
    transfer,      // bytes from one descriptor to another inside the kernel (sendfile, splice,
                   // copy_file_range): emulated with a read and a write, both recorded
    refuse,        // moves bytes inside the kernel, or bypasses seccomp (io_uring): ENOSYS,
                   // on which programs fall back to read/write
    signal_action, // rt_sigaction: socat's SIGCHLD handler gets SA_RESTART (restart_flag.hpp)
};

struct TrappedSyscall {
    int nr;
    std::string_view name;
    Handling handling;
};

// Every trapped call, x86_64 numbers.
const std::vector<TrappedSyscall>& trapped_syscalls();

// Whether `call` is trapped when data calls are (digest, full) or are not (meta) captured.
bool trapped_at(const TrappedSyscall& call, bool data_calls);

// The filter socat runs under: the catalogue (without the calls that only move bytes unless
// `data_calls`), with socat's diagnostics poll (recvfrom(fd, buf, 519, MSG_DONTWAIT)) exempted.
NotifyFilter socat_filter(bool data_calls = true);

} // namespace asocat::capture
