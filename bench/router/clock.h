// The one clock the generator stamps with and the sink reads: CLOCK_MONOTONIC, same host.
#pragma once

#include <time.h>

#include <cstdint>

namespace sipedge::bench {

// Nanoseconds on CLOCK_MONOTONIC.
inline uint64_t monotonic_ns() {
  timespec ts;
  clock_gettime(CLOCK_MONOTONIC, &ts);
  return static_cast<uint64_t>(ts.tv_sec) * 1000000000u + static_cast<uint64_t>(ts.tv_nsec);
}

}  // namespace sipedge::bench
