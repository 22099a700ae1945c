// A minimal poll(2) loop driving an AresDriver's sockets and timeouts, for the CLI tool,
// tests and benchmarks. The router drives the same AresDriver from its io_uring loop.
#pragma once

#include <functional>

#include "resolve/ares_driver.h"

namespace sipedge::resolve {

// Runs until `finished()` is true or no query is in flight. If the calling thread is an
// online RcuThread, it goes offline while blocked in poll() and reports a quiescent state
// after each round (it must not hold cache pointers across iterations).
void run_poll_loop(AresDriver& driver, const std::function<bool()>& finished);

}  // namespace sipedge::resolve
