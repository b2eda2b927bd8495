#include <signal.h>

#include <catch2/catch.hpp>

#include "launch/signal_relay.hpp"

using asocat::launch::SignalRelay;

namespace {

signalfd_siginfo info(int code, pid_t from) {
    signalfd_siginfo i{};
    i.ssi_signo = SIGTERM;
    i.ssi_code = code;
    i.ssi_pid = static_cast<uint32_t>(from);
    return i;
}

} // namespace

TEST_CASE("signals sent to the wrapper by a process are relayed") {
    CHECK(SignalRelay::should_relay(info(SI_USER, 100), 200));
    CHECK(SignalRelay::should_relay(info(SI_QUEUE, 100), 200));
    CHECK(SignalRelay::should_relay(info(SI_TKILL, 100), 200));
}

TEST_CASE("signals from the terminal driver or from socat itself are not relayed") {
    CHECK_FALSE(SignalRelay::should_relay(info(SI_KERNEL, 0), 200));
    CHECK_FALSE(SignalRelay::should_relay(info(SI_USER, 200), 200));
}
