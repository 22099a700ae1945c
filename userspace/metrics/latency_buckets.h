// The fixed buckets of the latency histograms (DNS resolution, forwarding): upper bounds in
// microseconds from 50 us to 10 s in 1-2.5-5 steps, plus the +Inf bucket.
#pragma once

#include <algorithm>
#include <array>
#include <cstddef>
#include <cstdint>

namespace sipedge::metrics {

inline constexpr std::array<uint64_t, 17> kLatencyBoundsUs = {
    50,     100,     250,     500,     1'000,     2'500,     5'000,     10'000,    25'000,
    50'000, 100'000, 250'000, 500'000, 1'000'000, 2'500'000, 5'000'000, 10'000'000};

// Buckets a histogram keeps: one per bound and the +Inf overflow.
inline constexpr size_t kLatencyBucketCount = kLatencyBoundsUs.size() + 1;

// The bucket `us` falls in: the first bound >= us (Prometheus `le`), or the overflow bucket.
constexpr size_t latency_bucket_index(uint64_t us) {
  return static_cast<size_t>(
      std::lower_bound(kLatencyBoundsUs.begin(), kLatencyBoundsUs.end(), us) -
      kLatencyBoundsUs.begin());
}

}  // namespace sipedge::metrics
