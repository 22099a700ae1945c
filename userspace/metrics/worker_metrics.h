// The hot-path counters of one worker thread. Each worker owns one block and is its only
// writer, so an increment is a relaxed load and store (no read-modify-write, no lock, no
// cache line shared with another core); the scrape thread reads the blocks concurrently and
// sums them (Registry).
#pragma once

#include <array>
#include <atomic>
#include <cstdint>

#include "metrics/counter_layout.h"
#include "metrics/series_labels.h"
#include "resolve/transport.h"

namespace sipedge::metrics {

struct alignas(64) WorkerMetrics {
  // A message received (kIn) or sent (kOut) over `t`.
  void count_request(Direction d, resolve::Transport t, Method m) { bump(slot::request(d, t, m)); }
  // A response by status class 1xx..6xx; codes outside 100..699 are not counted.
  void count_response(Direction d, resolve::Transport t, uint16_t status) {
    if (status >= 100 && status < 700) bump(slot::response(d, t, status / 100 - 1));
  }
  // A response the router generated itself (400, 403, 483, 503, ...), by code 100..699.
  void count_stateless_reply(uint16_t status) {
    if (status >= kFirstStatusCode && status < kFirstStatusCode + kStatusCodeCount)
      bump(slot::kStatelessReplies + (status - kFirstStatusCode));
  }
  void count_parse_failure(ParseFailure f) { bump(slot::kParseFailures + static_cast<size_t>(f)); }
  // A policy decision: `rule` indexes the registry's rule names, `verdict` is kVerdictAllow
  // or kVerdictReject; out-of-range values are not counted.
  void count_policy(uint8_t rule, uint8_t verdict) {
    if (rule < kMaxPolicyRules && verdict < kVerdictCount) bump(slot::policy(rule, verdict));
  }
  void count_resolve(ResolveOutcome o) { bump(slot::kResolve + static_cast<size_t>(o)); }
  // A lookup in the resolver's ready-target / DNS cache.
  void count_cache(bool hit) { bump(hit ? slot::kCacheHit : slot::kCacheMiss); }
  // An answer served from an expired entry because the upstream failed.
  void count_stale() { bump(slot::kCacheStale); }
  // DNS cache misses that waited for another worker's upstream query instead of sending one.
  void count_dns_shared_waits(uint64_t n) { bump(slot::kDnsSharedWaits, n); }
  void observe_dns_latency_us(uint64_t us) { observe(slot::kDnsLatency, us); }
  // From the request's arrival to its forwarding send.
  void observe_forward_latency_us(uint64_t us) { observe(slot::kForwardLatency, us); }
  // The open-connections gauge is opened - closed, summed over workers.
  void connections_opened() { bump(slot::kConnectionsOpened); }
  void connections_closed() { bump(slot::kConnectionsClosed); }
  void count_drop(DropReason r) { bump(slot::kDrops + static_cast<size_t>(r)); }
  // A target skipped because it failed before (RFC 3263 §4.3 quarantine).
  void count_failover() { bump(slot::kFailovers); }
  void count_response_drop(ResponseDropReason r) {
    bump(slot::kResponseDrops + static_cast<size_t>(r));
  }
  void count_event(Event e, uint64_t n = 1) { bump(slot::kEvents + static_cast<size_t>(e), n); }
  // A sips: request sent over plaintext to a trusted-downgrade next hop (R3).
  void count_downgrade() { bump(slot::kDowngrades); }

  // A TLS handshake that completed (`version` counted open until tls_closed) or failed.
  void tls_handshake_ok(Direction d, TlsVersion version) {
    bump(slot::tls_handshake(d, true));
    bump(slot::kTlsOpened + static_cast<size_t>(version));
  }
  void tls_handshake_failed(Direction d, TlsFailure why) {
    bump(slot::tls_handshake(d, false));
    bump(slot::tls_failure(d, why));
  }
  // A connection that had completed its handshake closed.
  void tls_closed(TlsVersion version) { bump(slot::kTlsClosed + static_cast<size_t>(version)); }

  // The current value of slot `i` (safe from any thread).
  uint64_t read(size_t i) const { return slots_[i].load(std::memory_order_relaxed); }

 private:
  // Single writer: a plain load+store keeps the line exclusive to this core; a concurrent
  // reader sees either the old or the new value, never a torn one.
  void bump(size_t i, uint64_t n = 1) {
    slots_[i].store(slots_[i].load(std::memory_order_relaxed) + n, std::memory_order_relaxed);
  }
  void observe(size_t histogram, uint64_t us) {
    bump(histogram + latency_bucket_index(us));
    bump(histogram + slot::kHistogramSum, us);
  }

  std::array<std::atomic<uint64_t>, slot::kCount> slots_{};
};

static_assert(std::atomic<uint64_t>::is_always_lock_free);

}  // namespace sipedge::metrics
