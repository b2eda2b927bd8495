// The capture engine's supervisor: serves every call the filter traps for socat and all its
// descendants until the last of them is gone. Calls that move bytes are performed here, on
// duplicates of the callers' descriptors, so what is recorded is exactly what moved; socket
// calls with addresses are performed here too; calls that only change the descriptor table or
// start a program are recorded and let through; calls that would move bytes out of sight are
// refused. Observations go to an EventSink as typed session events.
//
// Single-threaded: a call that would block is parked until its descriptor is ready (epoll)
// while every other call is served; a parked caller that gets a signal has its call given up
// with -ERESTARTSYS, so the kernel handles the signal as it would natively.
#pragma once

#include <array>
#include <cstdint>
#include <map>
#include <optional>
#include <set>
#include <string>
#include <unordered_map>

#include "capture/borrowed_fds.hpp"
#include "capture/connection_ledger.hpp"
#include "capture/data_call.hpp"
#include "capture/event_sink.hpp"
#include "capture/exec_inspector.hpp"
#include "capture/notify_listener.hpp"
#include "capture/stream_table.hpp"
#include "capture/syscall_catalogue.hpp"
#include "session/capture_events.hpp"
#include "util/error.hpp"
#include "util/scoped_fd.hpp"

namespace asocat::capture {

struct SupervisorOptions {
    std::string session;
    session::CaptureLevel level = session::CaptureLevel::digest;
    pid_t main_pid = 0;           // socat's main process: its end is settled before a flush request
    PayloadLimits payload_limits; // full capture
    // The launcher's end of a socket pair: it sends 'E' when socat's main process has ended;
    // the supervisor answers 'F' once everything observed so far is written.
    int control_fd = -1;
    std::int64_t flush_ms = 100;
};

// The control protocol's two bytes.
inline constexpr char kMainExited = 'E';
inline constexpr char kFlushed = 'F';

class Supervisor {
public:
    static util::Expected<Supervisor> create(NotifyListener listener, SupervisorOptions options,
                                             EventSink& sink);

    // Serves until no traced process is left, then records the end of capture. An error means
    // the supervisor could not go on auditing; every traced process it knows of has then been
    // killed (fail closed).
    util::Expected<void> run();

private:
    enum class ParkedOp { receive, send, accept, connect, transfer };
    // sendfile/splice/copy_file_range, emulated: what is read from `in` is written to `out`.
    struct Transfer {
        int in = -1;
        int out = -1;
        int borrowed_in = -1;
        int borrowed_out = -1;
        std::uint64_t in_offset_at = 0; // the caller's offset pointers (0: the file position)
        std::uint64_t out_offset_at = 0;
        std::int64_t in_offset = 0;
        std::int64_t out_offset = 0;
        std::uint64_t length = 0;
        bool writing = false;
    };
    struct Parked {
        ParkedOp op = ParkedOp::receive;
        Notification call;
        DataCall data;
        std::string payload; // send: what the caller passed; `sent` of it went already
        std::size_t sent = 0;
        std::string peer;    // send: sendto/sendmsg address bytes
        std::string control; // send: control data with the supervisor's descriptor numbers
        int borrowed = -1;
        Transfer transfer;
    };
    struct Process {
        util::ScopedFd pidfd;
        bool ended = false;
        std::optional<PendingExec> exec;
        std::set<int> refused;
        bool runs_socat = false;         // its image is the socat the session launched
        bool sigchld_interrupts = false; // its SIGCHLD handler was installed without SA_RESTART
    };

    Supervisor(NotifyListener listener, SupervisorOptions options, EventSink& sink);

    util::Expected<void> serve_loop();
    // Writes the pending events unless another writer holds the log (then the next flush tick
    // tries again), and then answers a launcher waiting for them. Never waits for the lock: a
    // traced process holding it may be parked in a call only this loop can complete.
    util::Expected<void> flush_unless_busy();
    void handle(const Notification& call);
    void see_process(const Notification& call);
    void settle_exec(pid_t pid, Process& process);
    void process_gone(pid_t pid);
    // `call`: the ending process's pending call, if any (to borrow what it never used).
    void end_streams_of(pid_t pid, session::StreamEndReason reason,
                        const Notification* call = nullptr);
    void emit_ended(session::StreamEnd ended);
    // Full capture: stores the runs of bytes that are ready (`all`: every open one too).
    void store_payload(bool all);
    // Bytes moved through `stream` by a data call; at full capture, the ready runs are stored
    // as soon as enough wait, so memory stays flat however fast bytes move.
    void moved(StreamTable::Stream& stream, bool in, std::string_view bytes);
    // Ends streams [first, last] of `pid` (forgetting the supervisor's copies), with the
    // kernel's TCP counters as their byte counts at the meta level.
    void end_streams(pid_t pid, int first, int last, session::StreamEndReason reason,
                     const Notification* call = nullptr);
    // meta: gives the TCP streams among [first, last] of `pid`, which are ending, their
    // connection's counts as ConnectionLedger rules. `call` (pending) borrows a descriptor
    // the supervisor holds no copy of.
    void count_from_kernel(pid_t pid, int first, int last, const Notification* call);
    // meta: TCP connections a process closes or exits with that it never connected or accepted
    // itself (a fork child's inherited socket) become streams first, so they are counted.
    void discover_connections(const Notification& call, int first, int last);
    void remember_connection(const StreamTable::Stream& stream);
    // The traced processes, live or past exit_group.
    TracedProcesses traced_processes() const;

    // The answers; ENOENT (the caller is gone) is not an error.
    void answer(const Notification& call, std::int64_t result);
    void allow(const Notification& call);

    void data_call(const Notification& call, Handling handling);
    void receive(Parked& parked);
    void send(Parked& parked);
    void transfer_call(const Notification& call);
    void transfer_read(Parked& parked);
    void transfer_write(Parked& parked);
    void socket_call(const Notification& call);
    void accept(Parked& parked);
    void connect(Parked& parked, bool first_attempt);
    void descriptor_call(const Notification& call);
    void process_call(const Notification& call);
    void refuse(const Notification& call, std::string_view name);
    void signal_action_call(const Notification& call);
    // What a parked call given up for signal `signal` answers: EINTR where the program asked
    // for it but the supervisor made the kernel restart instead (restart_flag.hpp).
    std::int64_t interrupted_result(pid_t pid, int signal) const;

    // The stream of descriptor `fd` of the caller, described on first use; nullptr for a
    // descriptor whose calls are let through (IoMode::passthrough).
    StreamTable::Stream* stream_for(const Notification& call, int fd, int borrowed);
    // Borrows descriptor `fd` of the caller; on failure answers the call and returns nullopt.
    std::optional<int> borrow_or_answer(const Notification& call, int fd);
    void park(Parked parked, std::uint32_t events);
    void retry(int borrowed);
    void check_parked_signals();
    // `socket`: the supervisor's copy the names are read from.
    void emit_socket(const Notification& call, int fd, session::SocketAction action, int socket,
                     std::int64_t result, std::optional<session::Endpoint> peer);
    util::Expected<void> watch(int fd, std::uint64_t tag, std::uint32_t events);
    void fail_closed();

    NotifyListener m_listener;
    SupervisorOptions m_options;
    EventSink& m_sink;
    util::ScopedFd m_epoll;
    util::ScopedFd m_flush_timer;
    util::ScopedFd m_signal_timer;
    bool m_signal_timer_armed = false;
    bool m_launcher_waits = false; // for the events up to socat's exit to be written
    BorrowedFds m_borrowed;
    StreamTable m_streams;
    ExecInspector m_exec;
    std::unordered_map<pid_t, Process> m_processes;
    std::optional<FileIdentity> m_socat_image; // what socat's main process first ran
    std::map<int, Parked> m_parked;            // by the borrowed descriptor it waits on
    std::array<const TrappedSyscall*, 1024> m_catalogue{};
    ConnectionLedger m_connections; // meta
    std::uint64_t m_processes_seen = 0;
    std::uint64_t m_refused = 0;
    std::optional<util::Error> m_failure;
};

} // namespace asocat::capture
