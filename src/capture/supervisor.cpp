#include "capture/supervisor.hpp"

#include <fcntl.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <climits>
#include <csignal>
#include <linux/close_range.h>
#include <sys/epoll.h>
#include <sys/syscall.h>
#include <sys/timerfd.h>

#include "capture/pending_signals.hpp"
#include "capture/restart_flag.hpp"
#include "util/clock.hpp"
#include "util/io.hpp"
#include "util/procfs.hpp"

namespace asocat::capture {
namespace {

// epoll tags: the kind in the top byte, a pid or descriptor below.
enum Tag : std::uint64_t {
    kListenerTag = 1ull << 56,
    kControlTag = 2ull << 56,
    kFlushTag = 3ull << 56,
    kSignalTag = 4ull << 56,
    kProcessTag = 5ull << 56,
    kParkedTag = 6ull << 56,
};
constexpr std::uint64_t kTagMask = 0xffull << 56;

// How often a parked caller is checked for a signal it should take.
constexpr std::int64_t kSignalCheckMs = 10;

util::Expected<void> arm(int timer, std::int64_t period_ms) {
    const timespec period{static_cast<time_t>(period_ms / 1000),
                          static_cast<long>(period_ms % 1000) * 1'000'000};
    const itimerspec schedule{period, period};
    if (::timerfd_settime(timer, 0, &schedule, nullptr) != 0) {
        return util::Error::from_errno("timerfd_settime");
    }
    return {};
}

void drain(int timer) {
    std::uint64_t expirations = 0;
    ssize_t ignored = ::read(timer, &expirations, sizeof expirations);
    (void)ignored; // a timer that has not expired yet has nothing to drain
}

// How a process that did not exit through exit_group ended: the zombie's exit code in
// /proc/PID/stat (field 52), while its parent has not reaped it.
std::optional<int> killing_signal(pid_t pid) {
    auto text = util::read_small_file(AT_FDCWD, "/proc/" + std::to_string(pid) + "/stat", 4096);
    if (!text) {
        return std::nullopt;
    }
    const auto close = text->rfind(')');
    if (close == std::string::npos) {
        return std::nullopt;
    }
    std::size_t field = 2; // after the comm field
    std::size_t at = close + 1;
    while (at < text->size() && field < 52) {
        at = text->find(' ', at + 1);
        if (at == std::string::npos) {
            return std::nullopt;
        }
        ++field;
    }
    const int status = std::atoi(text->c_str() + at + 1);
    return (status & 0x7f) != 0 ? std::optional<int>(status & 0x7f) : std::nullopt;
}

} // namespace

Supervisor::Supervisor(NotifyListener listener, SupervisorOptions options, EventSink& sink)
    : m_listener(std::move(listener)), m_options(std::move(options)), m_sink(sink),
      m_streams(m_options.session, m_options.level != session::CaptureLevel::meta,
                m_options.level == session::CaptureLevel::full
                    ? std::optional<PayloadLimits>(m_options.payload_limits)
                    : std::nullopt) {
    for (const auto& call : trapped_syscalls()) {
        m_catalogue[static_cast<std::size_t>(call.nr)] = &call;
    }
}

util::Expected<Supervisor> Supervisor::create(NotifyListener listener, SupervisorOptions options,
                                              EventSink& sink) {
    Supervisor supervisor(std::move(listener), std::move(options), sink);
    supervisor.m_epoll.reset(::epoll_create1(EPOLL_CLOEXEC));
    supervisor.m_flush_timer.reset(::timerfd_create(CLOCK_MONOTONIC, TFD_CLOEXEC | TFD_NONBLOCK));
    supervisor.m_signal_timer.reset(::timerfd_create(CLOCK_MONOTONIC, TFD_CLOEXEC | TFD_NONBLOCK));
    if (!supervisor.m_epoll || !supervisor.m_flush_timer || !supervisor.m_signal_timer) {
        return util::Error::from_errno("setting up the capture supervisor");
    }
    for (auto [fd, tag, events] :
         {std::tuple{supervisor.m_listener.fd(), kListenerTag, EPOLLIN},
          std::tuple{supervisor.m_flush_timer.get(), kFlushTag, EPOLLIN},
          std::tuple{supervisor.m_signal_timer.get(), kSignalTag, EPOLLIN}}) {
        if (auto watched = supervisor.watch(fd, tag, events); !watched) {
            return watched.error();
        }
    }
    if (supervisor.m_options.control_fd >= 0) {
        if (auto watched = supervisor.watch(supervisor.m_options.control_fd, kControlTag, EPOLLIN);
            !watched) {
            return watched.error();
        }
    }
    if (auto armed = arm(supervisor.m_flush_timer.get(), supervisor.m_options.flush_ms); !armed) {
        return armed.error();
    }
    return supervisor;
}

util::Expected<void> Supervisor::watch(int fd, std::uint64_t tag, std::uint32_t events) {
    epoll_event event{};
    event.events = events;
    event.data.u64 = tag;
    if (::epoll_ctl(m_epoll.get(), EPOLL_CTL_ADD, fd, &event) != 0) {
        return util::Error::from_errno("epoll_ctl");
    }
    return {};
}

util::Expected<void> Supervisor::run() {
    auto served = serve_loop();
    if (served && !m_failure) {
        for (auto& stream : m_streams.end_all(session::StreamEndReason::supervisor_end)) {
            emit_ended(std::move(stream));
        }
        store_payload(true);
    }
    session::CaptureEnd end;
    end.session = m_options.session;
    end.time = util::wall_now();
    end.level = m_options.level;
    end.processes = m_processes_seen;
    end.streams = m_streams.streams_seen();
    end.bytes_in = m_streams.bytes_in();
    end.bytes_out = m_streams.bytes_out();
    end.refused_calls = m_refused;
    const auto failure = !served ? std::optional(served.error()) : m_failure;
    if (failure) {
        end.error = failure->describe();
        fail_closed();
    }
    m_sink.emit(std::move(end));
    // No traced process is left to hold the log's lock in a call only this loop could serve.
    auto flushed = m_sink.flush(true, true);
    if (failure) {
        return *failure;
    }
    if (!flushed) {
        return flushed.error();
    }
    return {};
}

util::Expected<void> Supervisor::flush_unless_busy() {
    if (m_sink.pending()) {
        auto flushed = m_sink.flush(false, false);
        if (!flushed) {
            return flushed.error();
        }
        if (!*flushed) {
            return {}; // another writer has the log (perhaps a process parked here): next tick
        }
    }
    if (m_launcher_waits) {
        m_launcher_waits = false;
        const char reply = kFlushed;
        ssize_t ignored = ::write(m_options.control_fd, &reply, 1);
        (void)ignored; // a launcher that stopped listening needs no answer
    }
    return {};
}

util::Expected<void> Supervisor::serve_loop() {
    bool traced_left = true;
    // The listener hangs up as soon as the last traced task starts to exit; the processes it
    // knows are then waited for, so their ends are recorded as such.
    while (traced_left || !m_parked.empty() || !m_processes.empty()) {
        epoll_event events[64];
        const int n = ::epoll_wait(m_epoll.get(), events, 64, -1);
        if (n < 0) {
            if (errno == EINTR) {
                continue;
            }
            return util::Error::from_errno("epoll_wait");
        }
        for (int i = 0; i < n; ++i) {
            const std::uint64_t tag = events[i].data.u64 & kTagMask;
            const std::uint64_t value = events[i].data.u64 & ~kTagMask;
            switch (tag) {
            case kListenerTag:
                if ((events[i].events & EPOLLIN) != 0) {
                    auto call = m_listener.receive();
                    if (call) {
                        handle(*call);
                    } else if (call.error().errno_value() != ENOENT &&
                               call.error().errno_value() != EINTR) {
                        return call.error();
                    }
                } else if ((events[i].events & (EPOLLHUP | EPOLLERR)) != 0) {
                    traced_left = false; // no process uses the filter any more
                    (void)::epoll_ctl(m_epoll.get(), EPOLL_CTL_DEL, m_listener.fd(), nullptr);
                }
                break;
            case kControlTag: {
                char request = 0;
                const ssize_t got = ::read(m_options.control_fd, &request, 1);
                if (got <= 0) {
                    (void)::epoll_ctl(m_epoll.get(), EPOLL_CTL_DEL, m_options.control_fd,
                                      nullptr); // the launcher is gone: serve on alone
                    break;
                }
                // The launcher has collected socat's end, so its streams end now, in this flush,
                // even if its pidfd's wake-up has not been seen yet.
                if (request == kMainExited && m_options.main_pid > 0) {
                    process_gone(m_options.main_pid);
                }
                store_payload(true);
                m_launcher_waits = true;
                if (auto flushed = flush_unless_busy(); !flushed) {
                    return flushed.error();
                }
                break;
            }
            case kFlushTag:
                drain(m_flush_timer.get());
                store_payload(true);
                if (auto flushed = flush_unless_busy(); !flushed) {
                    return flushed.error();
                }
                if (auto ticked = m_sink.tick(); !ticked) {
                    return ticked.error();
                }
                break;
            case kSignalTag:
                drain(m_signal_timer.get());
                check_parked_signals();
                break;
            case kProcessTag:
                process_gone(static_cast<pid_t>(value));
                break;
            case kParkedTag:
                retry(static_cast<int>(value));
                break;
            default:
                break;
            }
            if (m_failure) {
                return *m_failure;
            }
        }
    }
    return {};
}

void Supervisor::handle(const Notification& call) {
    see_process(call);
    const auto nr = static_cast<std::size_t>(call.data.nr);
    const TrappedSyscall* entry = nr < m_catalogue.size() ? m_catalogue[nr] : nullptr;
    if (entry == nullptr) {
        allow(call); // not in the catalogue: the filter and the catalogue disagree
        return;
    }
    switch (entry->handling) {
    case Handling::move_in:
    case Handling::move_out:
        data_call(call, entry->handling);
        break;
    case Handling::socket:
        socket_call(call);
        break;
    case Handling::descriptor:
        descriptor_call(call);
        break;
    case Handling::process:
        process_call(call);
        break;
    case Handling::transfer:
        transfer_call(call);
        break;
    case Handling::refuse:
        refuse(call, entry->name);
        break;
    case Handling::signal_action:
        signal_action_call(call);
        break;
    }
}

void Supervisor::see_process(const Notification& call) {
    if (auto found = m_processes.find(call.pid); found != m_processes.end()) {
        if (found->second.exec) {
            settle_exec(call.pid, found->second);
        }
        return;
    }
    util::ScopedFd pidfd = open_caller_pidfd(call.pid);
    if (!pidfd || !m_listener.still_pending(call.id)) {
        return; // gone already; its call is answered (or dropped) by the handler
    }
    if (auto watched =
            watch(pidfd.get(), kProcessTag | static_cast<std::uint64_t>(call.pid), EPOLLIN);
        !watched) {
        m_failure = watched.error();
        return;
    }
    ++m_processes_seen;
    session::ProcessStart start;
    start.session = m_options.session;
    start.time = util::wall_now();
    start.pid = call.pid;
    if (auto st = util::proc_stat(call.pid)) {
        start.parent_pid = st->ppid;
    }
    if (auto exe = util::read_link(AT_FDCWD, "/proc/" + std::to_string(call.pid) + "/exe")) {
        start.executable = std::move(*exe);
    }
    m_sink.emit(std::move(start));
    Process process{std::move(pidfd), false, std::nullopt, {}};
    // A fork child has its parent's image and signal handlers.
    if (auto parent = m_processes.find(start.parent_pid); parent != m_processes.end()) {
        process.runs_socat = parent->second.runs_socat;
        process.sigchld_interrupts = parent->second.sigchld_interrupts;
    }
    m_processes.emplace(call.pid, std::move(process));
}

void Supervisor::settle_exec(pid_t pid, Process& process) {
    PendingExec exec = std::move(*process.exec);
    process.exec.reset();
    exec.facts.outcome = ExecInspector::outcome(pid, exec);
    if (exec.facts.outcome == session::ExecOutcome::confirmed ||
        exec.facts.outcome == session::ExecOutcome::mismatch) {
        // A new image starts with default handlers.
        const auto image = executable_identity(pid);
        if (pid == m_options.main_pid && !m_socat_image) {
            m_socat_image = image;
        }
        process.runs_socat = image && image == m_socat_image;
        process.sigchld_interrupts = false;
        for (const int fd : exec.close_on_exec) {
            if (auto ended = m_streams.end(pid, fd, session::StreamEndReason::exec)) {
                emit_ended(std::move(*ended));
            }
        }
    }
    m_sink.emit(std::move(exec.facts));
}

void Supervisor::count_from_kernel(pid_t pid, int first, int last, const Notification* call) {
    if (m_options.level != session::CaptureLevel::meta) {
        return; // the data calls were counted as they were performed
    }
    struct Candidate {
        StreamTable::Stream* stream;
        KernelCounts counts;
    };
    std::vector<Candidate> candidates;
    std::vector<ino_t> inodes;
    for (const int fd : m_streams.descriptors_of(pid)) {
        auto* stream = fd >= first && fd <= last ? m_streams.find(pid, fd) : nullptr;
        if (stream == nullptr || stream->description.kind != "tcp") {
            continue;
        }
        auto copy = m_borrowed.held(pid, fd);
        if (!copy && call != nullptr) {
            if (auto borrowed = m_borrowed.borrow(m_listener, *call, fd)) {
                copy = *borrowed;
            }
        }
        if (const auto counts =
                copy ? tcp_counts(*copy, stream->description.active_open) : std::nullopt) {
            candidates.push_back({stream, *counts});
            inodes.push_back(stream->description.inode);
        }
    }
    if (candidates.empty()) {
        return; // no need for the traced processes
    }
    // One look through /proc for all of them: a fork child's exit ends two connections.
    const auto held = sockets_held_elsewhere(inodes, pid, first, last, traced_processes());
    for (const auto& [stream, counts] : candidates) {
        const ino_t inode = stream->description.inode;
        if (std::find(held.begin(), held.end(), inode) != held.end()) {
            continue; // the last holder counts the connection
        }
        const auto given = m_connections.take(inode, counts);
        m_streams.set_counts(*stream, given.in, given.out);
    }
}

TracedProcesses Supervisor::traced_processes() const {
    TracedProcesses traced;
    traced.live.reserve(m_processes.size());
    for (const auto& [pid, process] : m_processes) {
        (process.ended ? traced.exited : traced.live).push_back(pid);
    }
    return traced;
}

void Supervisor::discover_connections(const Notification& call, int first, int last) {
    if (m_options.level != session::CaptureLevel::meta ||
        (first == last && m_streams.find(call.pid, first) != nullptr)) {
        return; // every descriptor that moved bytes has its stream already; so has this one
    }
    // Only sockets can be connections: the others are told apart by their /proc link, without
    // borrowing and classifying them (a fork child's exit met ~6 such descriptors).
    for (const int fd : util::socket_descriptors(call.pid, first, last)) {
        if (m_streams.find(call.pid, fd) != nullptr) {
            continue;
        }
        auto borrowed = m_borrowed.borrow(m_listener, call, fd);
        if (!borrowed) {
            continue;
        }
        auto kind = classify_descriptor(*borrowed, call.pid, fd);
        if (const auto* names = m_connections.names(kind.inode)) {
            kind.local = kind.local ? kind.local : names->local;
            kind.peer = kind.peer ? kind.peer : names->peer;
        }
        // A connection has a peer (or had one this supervisor saw); a listening socket, or
        // one shut down by its owner, has none and moved no bytes.
        if (kind.kind == "tcp" && !kind.listening && kind.peer) {
            m_streams.open(call.pid, fd, std::move(kind));
        } else {
            m_borrowed.forget(call.pid, fd);
        }
    }
}

void Supervisor::end_streams(pid_t pid, int first, int last, session::StreamEndReason reason,
                             const Notification* call) {
    count_from_kernel(pid, first, last, call);
    m_borrowed.forget_range(pid, first, last);
    for (auto& ended : m_streams.end_range(pid, first, last, reason)) {
        emit_ended(std::move(ended));
    }
}

void Supervisor::end_streams_of(pid_t pid, session::StreamEndReason reason,
                                const Notification* call) {
    end_streams(pid, 0, INT_MAX, reason, call);
    m_borrowed.forget_process(pid);
}

void Supervisor::emit_ended(session::StreamEnd ended) {
    store_payload(false); // its last bytes are recorded before its end
    m_sink.emit(std::move(ended));
}

void Supervisor::store_payload(bool all) {
    for (auto& truncated : m_streams.take_truncations()) {
        m_sink.emit(std::move(truncated));
    }
    for (auto& run : m_streams.take_payload(all)) {
        session::StreamPayload payload;
        payload.session = m_options.session;
        payload.time = util::wall_now();
        payload.pid = run.key.first;
        payload.fd = run.key.second;
        payload.in = run.in;
        payload.stream_offset = run.stream_offset;
        if (run.copy_of) {
            payload.length = run.copy_length;
            payload.copy_of =
                session::PayloadCopy{run.copy_of->first, run.copy_of->second, run.stream_offset};
        } else {
            payload.length = run.bytes.size();
            auto stored = m_sink.store_payload(run.bytes);
            if (!stored) {
                m_failure = stored.error(); // full capture that cannot store is no capture
                return;
            }
            payload.file = std::move(stored->file);
            payload.file_offset = stored->offset;
            m_streams.recycle_payload(std::move(run.bytes));
        }
        m_sink.emit(std::move(payload));
    }
}

void Supervisor::process_gone(pid_t pid) {
    auto found = m_processes.find(pid);
    if (found == m_processes.end()) {
        return;
    }
    Process& process = found->second;
    if (process.exec) {
        settle_exec(pid, process);
    }
    end_streams_of(pid, session::StreamEndReason::exit);
    if (!process.ended) {
        session::ProcessEnd end;
        end.session = m_options.session;
        end.time = util::wall_now();
        end.pid = pid;
        end.signal = killing_signal(pid);
        m_sink.emit(std::move(end));
    }
    (void)::epoll_ctl(m_epoll.get(), EPOLL_CTL_DEL, process.pidfd.get(), nullptr);
    m_processes.erase(found);
}

void Supervisor::answer(const Notification& call, std::int64_t result) {
    const auto sent = result < 0 ? m_listener.fail(call.id, static_cast<int>(-result))
                                 : m_listener.succeed(call.id, result);
    if (!sent && sent.error().errno_value() != ENOENT) {
        m_failure = sent.error();
    }
}

void Supervisor::allow(const Notification& call) {
    const auto sent = m_listener.allow(call.id);
    if (!sent && sent.error().errno_value() != ENOENT) {
        m_failure = sent.error();
    }
}

std::optional<int> Supervisor::borrow_or_answer(const Notification& call, int fd) {
    auto borrowed = m_borrowed.borrow(m_listener, call, fd);
    if (borrowed) {
        return *borrowed;
    }
    const int err = borrowed.error().errno_value();
    if (err != ENOENT) {
        answer(call, -(err == 0 ? EBADF : err));
    }
    return std::nullopt;
}

StreamTable::Stream* Supervisor::stream_for(const Notification& call, int fd, int borrowed) {
    if (auto* stream = m_streams.find(call.pid, fd)) {
        return stream;
    }
    auto kind = classify_descriptor(borrowed, call.pid, fd);
    if (kind.mode == IoMode::passthrough) {
        return nullptr;
    }
    return &m_streams.open(call.pid, fd, std::move(kind));
}

void Supervisor::descriptor_call(const Notification& call) {
    const auto& a = call.data.args;
    const auto end = [&](int fd, session::StreamEndReason reason) {
        end_streams(call.pid, fd, fd, reason, &call);
    };
    switch (call.data.nr) {
    case SYS_close:
        discover_connections(call, static_cast<int>(a[0]), static_cast<int>(a[0]));
        end(static_cast<int>(a[0]), session::StreamEndReason::close);
        break;
    case SYS_dup2:
    case SYS_dup3:
        if (a[0] != a[1]) {
            discover_connections(call, static_cast<int>(a[1]), static_cast<int>(a[1]));
            end(static_cast<int>(a[1]), session::StreamEndReason::dup2);
        }
        break;
    case SYS_close_range:
        if ((a[2] & CLOSE_RANGE_CLOEXEC) == 0) {
            const int first = static_cast<int>(std::min<std::uint64_t>(a[0], INT_MAX));
            const int last = static_cast<int>(std::min<std::uint64_t>(a[1], INT_MAX));
            end_streams(call.pid, first, last, session::StreamEndReason::close_range, &call);
        }
        break;
    default:
        break;
    }
    // The descriptor table change itself is the kernel's: the supervisor's copies are gone, so
    // a peer sees EOF exactly when it would without capture.
    allow(call);
}

void Supervisor::process_call(const Notification& call) {
    switch (call.data.nr) {
    case SYS_execve:
    case SYS_execveat: {
        auto exec =
            m_exec.inspect(m_listener, call, m_borrowed, m_streams.descriptors_of(call.pid));
        if (!exec) {
            return; // the caller is gone
        }
        exec->facts.session = m_options.session;
        exec->facts.time = util::wall_now();
        // Close-on-exec copies must not outlive the exec; the others are borrowed again.
        for (const int fd : exec->close_on_exec) {
            count_from_kernel(call.pid, fd, fd, &call);
        }
        m_borrowed.forget_process(call.pid);
        if (auto found = m_processes.find(call.pid); found != m_processes.end()) {
            found->second.exec = std::move(*exec);
        }
        break;
    }
    case SYS_exit_group:
        if (auto found = m_processes.find(call.pid); found != m_processes.end()) {
            if (found->second.exec) {
                settle_exec(call.pid, found->second);
            }
            discover_connections(call, 0, INT_MAX);
            end_streams_of(call.pid, session::StreamEndReason::exit, &call);
            found->second.ended = true;
            session::ProcessEnd end;
            end.session = m_options.session;
            end.time = util::wall_now();
            end.pid = call.pid;
            end.exit_code = static_cast<int>(call.data.args[0] & 0xff);
            m_sink.emit(std::move(end));
        }
        break;
    default:
        break; // fork, clone, vfork: the child is seen at its first trapped call
    }
    allow(call);
}

void Supervisor::refuse(const Notification& call, std::string_view name) {
    ++m_refused;
    if (auto found = m_processes.find(call.pid);
        found != m_processes.end() && found->second.refused.insert(call.data.nr).second) {
        session::RefusedCall refused;
        refused.session = m_options.session;
        refused.time = util::wall_now();
        refused.pid = call.pid;
        refused.syscall = std::string(name);
        m_sink.emit(std::move(refused));
    }
    answer(call, -ENOSYS);
}

void Supervisor::signal_action_call(const Notification& call) {
    auto found = m_processes.find(call.pid);
    if (found != m_processes.end() && found->second.runs_socat &&
        call.data.args[0] == kRestartedSignal && call.data.args[1] != 0) {
        // Unreadable arguments: the kernel fails the call the same way, natively.
        if (auto added = add_restart_flag(m_listener, call)) {
            found->second.sigchld_interrupts = *added;
        }
    }
    allow(call);
}

std::int64_t Supervisor::interrupted_result(pid_t pid, int signal) const {
    const auto found = m_processes.find(pid);
    const bool asked_for_eintr = signal == kRestartedSignal && found != m_processes.end() &&
                                 found->second.sigchld_interrupts;
    return asked_for_eintr ? -EINTR : -kRestartSys;
}

void Supervisor::park(Parked parked, std::uint32_t events) {
    const int fd = parked.borrowed;
    epoll_event event{};
    event.events = events | EPOLLONESHOT;
    event.data.u64 = kParkedTag | static_cast<std::uint64_t>(fd);
    if (::epoll_ctl(m_epoll.get(), EPOLL_CTL_MOD, fd, &event) != 0 &&
        ::epoll_ctl(m_epoll.get(), EPOLL_CTL_ADD, fd, &event) != 0) {
        m_failure = util::Error::from_errno("epoll_ctl for a parked call");
        return;
    }
    m_parked.insert_or_assign(fd, std::move(parked));
    if (!m_signal_timer_armed) {
        if (auto armed = arm(m_signal_timer.get(), kSignalCheckMs); !armed) {
            m_failure = armed.error();
        }
        m_signal_timer_armed = true;
    }
}

void Supervisor::retry(int borrowed) {
    auto found = m_parked.find(borrowed);
    if (found == m_parked.end()) {
        return;
    }
    Parked parked = std::move(found->second);
    m_parked.erase(found);
    switch (parked.op) {
    case ParkedOp::receive:
        receive(parked);
        break;
    case ParkedOp::send:
        send(parked);
        break;
    case ParkedOp::accept:
        accept(parked);
        break;
    case ParkedOp::connect:
        connect(parked, false);
        break;
    case ParkedOp::transfer:
        parked.transfer.writing ? transfer_write(parked) : transfer_read(parked);
        break;
    }
}

void Supervisor::check_parked_signals() {
    for (auto it = m_parked.begin(); it != m_parked.end();) {
        const Parked& parked = it->second;
        const bool gone = !m_listener.still_pending(parked.call.id);
        const int signal = gone ? 0 : next_signal(parked.call.pid);
        if (!gone && signal == 0) {
            ++it;
            continue;
        }
        (void)::epoll_ctl(m_epoll.get(), EPOLL_CTL_DEL, parked.borrowed, nullptr);
        if (!gone) {
            // A send that moved some bytes returns their count, as a native one would.
            answer(parked.call, parked.sent > 0 ? static_cast<std::int64_t>(parked.sent)
                                                : interrupted_result(parked.call.pid, signal));
        }
        it = m_parked.erase(it);
    }
    if (m_parked.empty() && m_signal_timer_armed) {
        if (auto disarmed = arm(m_signal_timer.get(), 0); !disarmed) {
            m_failure = disarmed.error();
        }
        m_signal_timer_armed = false;
    }
}

void Supervisor::fail_closed() {
    for (const auto& [pid, process] : m_processes) {
        (void)::syscall(SYS_pidfd_send_signal, process.pidfd.get(), SIGKILL, nullptr, 0);
    }
}

} // namespace asocat::capture
