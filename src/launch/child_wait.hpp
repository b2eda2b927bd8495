// The wrapper's life while socat runs: relay signals, mirror a SIGSTOP of socat onto the
// wrapper (so the shell's job control sees the job stopped, as with bare socat), and return
// when socat is gone.
#pragma once

#include <cstdint>
#include <functional>

#include "launch/gated_child.hpp"
#include "launch/signal_relay.hpp"
#include "launch/termination.hpp"
#include "util/error.hpp"

namespace asocat::launch {

// Calls `on_tick` every `tick_ms` while socat runs (checkpoints, heartbeats); an error from it
// ends the wait with that error, and the caller stops socat.
// A descriptor that must not become readable while socat runs (the capture supervisor's
// pidfd). When it does and socat is still there, `on_ready` decides: an error ends the wait
// (the caller stops socat); success disarms the tripwire (the supervisor ended cleanly because
// socat is on its way out).
struct Tripwire {
    int fd = -1;
    std::function<util::Expected<void>()> on_ready;
};

util::Expected<Termination> wait_for_exit(const GatedChild& child, SignalRelay& relay,
                                          std::int64_t tick_ms,
                                          const std::function<util::Expected<void>()>& on_tick,
                                          const Tripwire& tripwire = {});

} // namespace asocat::launch
