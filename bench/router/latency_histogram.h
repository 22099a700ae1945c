// Latency samples in log-linear buckets (64 per power of two, under 1.6 % relative error):
// fixed memory, no allocation per sample, so the sink can record every forwarded request.
#pragma once

#include <array>
#include <bit>
#include <cstddef>
#include <cstdint>

namespace sipedge::bench {

class LatencyHistogram {
 public:
  // Adds one sample in nanoseconds.
  void record(uint64_t ns) {
    ++buckets_[bucket_of(ns)];
    ++count_;
  }
  uint64_t count() const { return count_; }
  // The sample value (ns, bucket lower bound) at quantile q in [0, 1]; 0 when empty.
  uint64_t quantile(double q) const {
    if (count_ == 0) return 0;
    uint64_t rank = static_cast<uint64_t>(q * static_cast<double>(count_ - 1)) + 1;
    uint64_t seen = 0;
    for (size_t i = 0; i < buckets_.size(); ++i) {
      seen += buckets_[i];
      if (seen >= rank) return lower_bound_of(i);
    }
    return lower_bound_of(buckets_.size() - 1);
  }

 private:
  static constexpr unsigned kSubBits = 6;  // 64 buckets per power of two
  static constexpr uint64_t kSub = uint64_t{1} << kSubBits;

  static size_t bucket_of(uint64_t v) {
    if (v < kSub) return v;
    unsigned exponent = 63 - std::countl_zero(v);  // >= kSubBits
    uint64_t mantissa = (v >> (exponent - kSubBits)) & (kSub - 1);
    return (exponent - kSubBits + 1) * kSub + mantissa;
  }
  static uint64_t lower_bound_of(size_t index) {
    if (index < kSub) return index;
    unsigned exponent = static_cast<unsigned>(index / kSub) + kSubBits - 1;
    uint64_t mantissa = index % kSub;
    return (kSub + mantissa) << (exponent - kSubBits);
  }

  std::array<uint64_t, (64 - kSubBits + 1) * kSub> buckets_{};
  uint64_t count_ = 0;
};

}  // namespace sipedge::bench
