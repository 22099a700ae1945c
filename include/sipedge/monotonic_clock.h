// The one monotonic clock every part reads (loop turns, DNS timers, latencies), so times taken
// in different places can be compared.
#pragma once

#include <chrono>
#include <cstdint>

namespace sipedge {

// Microseconds on CLOCK_MONOTONIC (std::chrono::steady_clock).
inline int64_t monotonic_us() {
  return std::chrono::duration_cast<std::chrono::microseconds>(
             std::chrono::steady_clock::now().time_since_epoch())
      .count();
}

// Milliseconds on the same clock.
inline int64_t monotonic_ms() {
  return std::chrono::duration_cast<std::chrono::milliseconds>(
             std::chrono::steady_clock::now().time_since_epoch())
      .count();
}

}  // namespace sipedge
