#include "app/audited_socat.hpp"

#include <csignal>
#include <cstdio>
#include <exception>
#include <sys/resource.h>

#include "launch/wrapper.hpp"
#include "util/error.hpp"

namespace asocat::app {
namespace {

// Dies by `signal` as socat did, so shells and CI see the same thing. Core dumps are off: the
// wrapper's memory is not what anyone wants to debug, and socat's own core is already written.
[[noreturn]] void die_by(int signal) {
    const struct rlimit no_core { 0, 0 };
    ::setrlimit(RLIMIT_CORE, &no_core);
    struct sigaction action {};
    action.sa_handler = SIG_DFL;
    sigemptyset(&action.sa_mask);
    ::sigaction(signal, &action, nullptr);
    sigset_t only;
    sigemptyset(&only);
    sigaddset(&only, signal);
    ::sigprocmask(SIG_UNBLOCK, &only, nullptr);
    ::raise(signal);
    // Still alive: a signal whose default is to be ignored (socat cannot die of those). The
    // shell's convention stands in.
    ::_exit(128 + signal);
}

} // namespace

int audited_socat_main(int argc, char** argv, char** envp) {
    try {
        const launch::Termination how = launch::run_wrapper(argc, argv, envp);
        std::fflush(stdout);
        if (how.signaled) {
            die_by(how.signal);
        }
        return how.exit_code;
    } catch (const util::FatalError& error) {
        std::fprintf(stderr, "audited-socat: %s\n", error.what());
        return error.status();
    } catch (const std::exception& error) {
        std::fprintf(stderr, "audited-socat: internal error: %s\n", error.what());
        return launch::kWrapperFailure;
    }
}

} // namespace asocat::app
