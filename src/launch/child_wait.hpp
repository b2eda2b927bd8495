// The wrapper's life while socat runs: relay signals, mirror a SIGSTOP of socat onto the
// wrapper (so the shell's job control sees the job stopped, as with bare socat), and return
// when socat is gone.
#pragma once

#include "launch/gated_child.hpp"
#include "launch/signal_relay.hpp"
#include "launch/termination.hpp"
#include "util/error.hpp"

namespace asocat::launch {

util::Expected<Termination> wait_for_exit(const GatedChild& child, SignalRelay& relay);

} // namespace asocat::launch
