#include "launch/wrapper.hpp"

#include <unistd.h>

#include <csignal>
#include <cstdio>
#include <memory>
#include <sys/stat.h>
#include <sys/utsname.h>

#include "asocat_version.hpp"
#include "capture/listener_handover.hpp"
#include "capture/syscall_catalogue.hpp"
#include "config/environment.hpp"
#include "config/privilege.hpp"
#include "config/settings.hpp"
#include "identity/attestation.hpp"
#include "identity/claims.hpp"
#include "launch/audit_trail.hpp"
#include "launch/child_wait.hpp"
#include "launch/enclosing_session.hpp"
#include "launch/gated_child.hpp"
#include "launch/self_image.hpp"
#include "launch/signal_relay.hpp"
#include "launch/socat_locator.hpp"
#include "launch/supervisor_process.hpp"
#include "record/session_records.hpp"
#include "session/kernel_identity.hpp"
#include "session/session_facts.hpp"
#include "util/clock.hpp"
#include "util/random_id.hpp"

namespace asocat::launch {
namespace {

constexpr const char* kOwnName = "audited-socat";
// How long socat's end waits for the supervisor to write what it observed.
constexpr int kSupervisorFlushMs = 10'000;

std::string host_name() {
    struct utsname names {};
    return ::uname(&names) == 0 ? names.nodename : "";
}

std::optional<std::string> working_directory() {
    std::vector<char> buffer(4096);
    for (;;) {
        if (::getcwd(buffer.data(), buffer.size()) != nullptr) {
            return std::string(buffer.data());
        }
        if (errno != ERANGE || buffer.size() > (1u << 20)) {
            return std::nullopt; // e.g. the directory was removed
        }
        buffer.resize(buffer.size() * 2);
    }
}

[[noreturn]] void fail(const util::Error& error, const std::string& consequence) {
    throw util::FatalError(kWrapperFailure, error.describe() + "; " + consequence);
}

AuditTrail open_trail(const config::Settings& settings, const config::Privilege& privilege,
                      const std::string& host) {
    auto trail = AuditTrail::open(settings, privilege, host);
    if (!trail) {
        fail(trail.error(), "socat not started");
    }
    return std::move(*trail);
}

void print_notices(AuditTrail& trail) {
    for (const auto& notice : trail.take_notices()) {
        std::fprintf(stderr, "audited-socat: %s\n", notice.c_str());
    }
}

session::SessionStart describe_start(const config::Settings& settings,
                                     const config::Privilege& privilege, const SelfImage& self,
                                     const LocatedSocat& socat, std::vector<std::string> args,
                                     const std::string& log_path, const std::string& host,
                                     const config::Environment& env) {
    auto id = util::random_uuid();
    if (!id) {
        fail(id.error(), "socat not started");
    }
    session::SessionStart start;
    start.id = *id;
    start.time = util::wall_now();
    start.host_name = host;
    start.wrapper = {kVersion, ::getpid(), self.path, privilege.privileged};
    start.settings = {settings.config_files, settings.environment_used, log_path,
                      settings.fail_open, socat.source};
    start.socat = {socat.path, socat.sha256};
    start.args = std::move(args);
    start.working_directory = working_directory();
    start.identity = session::collect_kernel_identity();
    // Claims are recorded even when privileged: they are what was asserted, never settings.
    start.claimed = identity::collect_claims(env, start.identity);
    // Before socat starts: a token may have to be fetched (bounded by identity.fetch_timeout).
    const auto now = util::wall_now();
    const identity::AttestationContext context{
        settings,       env,  privilege.privileged,
        start.identity, host, now.seconds * 1000 + now.nanoseconds / 1'000'000};
    start.attested = identity::attest(context);
    start.ticket = identity::find_ticket(context);
    return start;
}

// What the child needs to put itself under capture before exec, built before fork.
struct CaptureInstall {
    capture::ListenerHandover handover;
    capture::NotifyFilter filter;

    static int run(const void* context) noexcept {
        const auto* install = static_cast<const CaptureInstall*>(context);
        return install->handover.install_and_publish(install->filter);
    }
};

} // namespace

std::string socat_argv0(const char* wrapper_argv0) {
    if (wrapper_argv0 == nullptr) {
        return "socat";
    }
    const std::string given(wrapper_argv0);
    const auto slash = given.rfind('/');
    const std::string base = slash == std::string::npos ? given : given.substr(slash + 1);
    return base == kOwnName ? "socat" : given;
}

Termination run_wrapper(int argc, char** argv, char** envp) {
    const auto env = config::Environment::from_envp(envp);
    const auto privilege = config::detect_privilege(env);
    auto settings = config::load_settings(env, privilege);
    if (!settings) {
        fail(settings.error(), "socat not started");
    }
    auto self = current_image();
    if (!self) {
        fail(self.error().with_context("identifying audited-socat"), "socat not started");
    }
    refuse_recursive_start(*self);
    LocatedSocat socat = locate_socat(*settings, privilege, env, *self);

    const std::string host = host_name();
    AuditTrail trail = open_trail(*settings, privilege, host);
    print_notices(trail);

    std::vector<std::string> args;
    args.push_back(socat_argv0(argc > 0 ? argv[0] : nullptr));
    for (int i = 1; i < argc; ++i) {
        args.emplace_back(argv[i]);
    }
    auto start =
        describe_start(*settings, privilege, *self, socat, args, trail.describe(), host, env);

    start.capture = settings->capture;
    if (start.capture != session::CaptureLevel::off && inside_captured_session(*self)) {
        start.capture = session::CaptureLevel::enclosed;
    }
    std::optional<CaptureInstall> install;
    PreExecHook hook;
    if (start.capture != session::CaptureLevel::off &&
        start.capture != session::CaptureLevel::enclosed) {
        auto handover = capture::ListenerHandover::create();
        if (!handover) {
            fail(handover.error(), "socat not started");
        }
        install.emplace(CaptureInstall{
            std::move(*handover),
            capture::socat_filter(settings->capture != session::CaptureLevel::meta)});
        hook = {&CaptureInstall::run, &*install};
    }

    auto relay = SignalRelay::install();
    if (!relay) {
        fail(relay.error(), "socat not started");
    }
    auto child = GatedChild::spawn({socat.path, std::move(args), envp}, relay->inherited(), hook);
    if (!child) {
        fail(child.error(), "socat not started");
    }
    start.socat_pid = child->pid();
    const std::int64_t started_ns = util::monotonic_ns();

    session::SessionEnd end;
    end.id = start.id;
    end.start = start.time;
    end.socat_pid = child->pid();
    const auto finish = [&](const Termination& how) -> util::Expected<void> {
        end.end = util::wall_now();
        end.duration_ns = util::monotonic_ns() - started_ns;
        end.wrapper_status = how.shell_status();
        if (auto loaded = trail.load_key(); !loaded) {
            return loaded;
        }
        if (auto written =
                trail.write({record::session_end_record(end)}, evidence::Seal::checkpoint);
            !written) {
            return written.error();
        }
        return trail.sync();
    };

    const auto refusal = identity::identity_refusal(*settings, start.attested, start.ticket);
    if (auto written = trail.write({record::session_start_record(start)}); !written) {
        child->abandon(); // the child exits 125 at the gate; socat never runs
        (void)child->reap();
        fail(written.error(), "socat not started");
    }
    if (refusal) {
        child->abandon();
        (void)child->reap();
        end.reason = session::EndReason::identity_refused;
        end.error = *refusal;
        const auto written = finish(Termination::exited(kWrapperFailure));
        throw util::FatalError(kWrapperFailure, *refusal + "; socat not started" +
                                                    (written ? "" : " and not recorded"));
    }
    // Under capture, the child installs its filter once through the gate and waits until the
    // listener is taken; the supervisor is then started before socat's exec, which is its
    // first trapped call.
    const auto stop_unaudited = [&](const util::Error& error) {
        (void)child->kill_and_reap(); // it never ran socat; how it ended is beside the point
        end.reason = session::EndReason::audit_failed;
        end.error = error.describe();
        const auto written = finish(Termination::exited(kWrapperFailure));
        throw util::FatalError(kWrapperFailure, error.describe() + "; socat not started" +
                                                    (written ? "" : " and not recorded"));
    };
    if (auto opened = child->open_gate(); !opened) {
        stop_unaudited(opened.error());
    }
    std::optional<SupervisorProcess> supervisor;
    if (install) {
        auto listener = install->handover.take(child->pidfd());
        if (!listener) {
            stop_unaudited(listener.error().with_context("cannot capture socat's calls"));
        }
        capture::SupervisorOptions options;
        options.session = start.id;
        options.level = settings->capture;
        options.main_pid = child->pid();
        auto started = SupervisorProcess::start(std::move(*listener), std::move(options), trail);
        if (!started) {
            stop_unaudited(started.error());
        }
        supervisor.emplace(std::move(*started));
    }
    if (auto released = child->exec_result(); !released) {
        const int err = released.error().errno_value();
        const auto error = util::Error::from_errno("cannot execute " + socat.path, err);
        const int status = exec_failure_status(err);
        (void)child->reap(); // it exits with `status`, which is reported below either way
        end.reason = session::EndReason::exec_failed;
        end.error = error.describe();
        if (auto written = finish(Termination::exited(status)); !written) {
            fail(written.error(), error.describe());
        }
        throw util::FatalError(status, error);
    }
    end.exec_check =
        still_unchanged(socat) ? session::ExecCheck::matched : session::ExecCheck::mismatched;
    if (end.exec_check == session::ExecCheck::mismatched) {
        (void)child->kill_and_reap(); // it must not run; how it died is of no further interest
        end.reason = session::EndReason::audit_failed;
        end.error = socat.path + " was replaced or modified while socat was being started; it "
                                 "may not be the file that was hashed";
        const auto written = finish(Termination::exited(kWrapperFailure));
        throw util::FatalError(kWrapperFailure, *end.error + "; socat stopped" +
                                                    (written ? "" : " and not recorded"));
    }
    // The start record was written before exec; it reaches the disk while socat starts, so
    // the sync costs socat nothing. If it cannot, socat does not go on unrecorded.
    if (auto synced = trail.sync(); !synced) {
        (void)child->kill_and_reap(); // fail closed mid-session; how it died is beside the point
        fail(synced.error(), "socat stopped");
    }
    // Likewise the signing key is parsed while socat starts; without it nothing can be sealed.
    if (auto loaded = trail.load_key(); !loaded) {
        (void)child->kill_and_reap();
        fail(loaded.error(), "socat stopped");
    }
    print_notices(trail);

    Tripwire tripwire;
    if (supervisor) {
        tripwire = {supervisor->pidfd(), [&] { return supervisor->ended_early(); }};
    }
    auto how = wait_for_exit(
        *child, *relay, trail.tick_interval_ms(), [&] { return trail.tick(); }, tripwire);
    if (!how) {
        (void)child->kill_and_reap(); // fail closed: socat must not run on unobserved
        end.reason = session::EndReason::audit_failed;
        end.error = how.error().describe();
        const auto written = finish(Termination::exited(kWrapperFailure));
        fail(how.error(), written ? "socat stopped" : "socat stopped and not recorded");
    }
    // What the supervisor saw of socat's main process is written before the session's end. A
    // supervisor that died (or hung) before that means socat ran on while its calls failed
    // unobserved: an audit failure, whatever socat's own status was.
    if (supervisor) {
        if (auto flushed = supervisor->flush_after_main_exit(kSupervisorFlushMs); !flushed) {
            end.reason = session::EndReason::audit_failed;
            end.error = flushed.error().describe();
            const auto written = finish(Termination::exited(kWrapperFailure));
            fail(flushed.error(), "socat ended with status " + std::to_string(how->shell_status()) +
                                      (written ? "" : "; not recorded"));
        }
    }
    end.reason = how->signaled ? session::EndReason::signaled : session::EndReason::exited;
    end.exit_code = how->exit_code;
    end.signal = how->signal;
    end.core_dumped = how->core_dumped;
    if (auto written = finish(*how); !written) {
        fail(written.error(), "socat ended with status " + std::to_string(how->shell_status()) +
                                  " but its session end is not recorded");
    }
    return *how;
}

} // namespace asocat::launch
