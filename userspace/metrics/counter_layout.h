// Where each counter lives in a worker's flat block of 64-bit slots. The hot path
// (WorkerMetrics) and the scrape (summing, exposition) index the same layout, so a block is
// summed with one loop and a series is found by one function.
#pragma once

#include <cstddef>
#include <cstdint>

#include "metrics/latency_buckets.h"
#include "metrics/series_labels.h"
#include "resolve/transport.h"

namespace sipedge::metrics {

inline constexpr size_t kTransportCount = static_cast<size_t>(resolve::Transport::kWss) + 1;
// Status classes 1xx..6xx.
inline constexpr size_t kStatusClassCount = 6;
// Stateless replies are kept per code 100..699.
inline constexpr uint16_t kFirstStatusCode = 100;
inline constexpr size_t kStatusCodeCount = 600;
// Policy rules a registry can name; count_policy() ignores higher indexes.
inline constexpr size_t kMaxPolicyRules = 32;

namespace slot {

inline constexpr size_t kRequests = 0;  // [direction][transport][method]
// [direction][transport][status class]
inline constexpr size_t kResponses =
    kRequests + count_of<Direction>() * kTransportCount * count_of<Method>();
inline constexpr size_t kStatelessReplies =  // [status code - 100]
    kResponses + count_of<Direction>() * kTransportCount * kStatusClassCount;
inline constexpr size_t kParseFailures = kStatelessReplies + kStatusCodeCount;
inline constexpr size_t kPolicy = kParseFailures + count_of<ParseFailure>();  // [rule][verdict]
inline constexpr size_t kResolve = kPolicy + kMaxPolicyRules * kVerdictCount;
inline constexpr size_t kCacheHit = kResolve + count_of<ResolveOutcome>();
inline constexpr size_t kCacheMiss = kCacheHit + 1;
inline constexpr size_t kCacheStale = kCacheMiss + 1;
inline constexpr size_t kDnsSharedWaits = kCacheStale + 1;
// A histogram: kLatencyBucketCount per-bucket counts (not cumulative), then the sum in us.
inline constexpr size_t kDnsLatency = kDnsSharedWaits + 1;
inline constexpr size_t kForwardLatency = kDnsLatency + kLatencyBucketCount + 1;
inline constexpr size_t kConnectionsOpened = kForwardLatency + kLatencyBucketCount + 1;
inline constexpr size_t kConnectionsClosed = kConnectionsOpened + 1;
inline constexpr size_t kDrops = kConnectionsClosed + 1;
inline constexpr size_t kFailovers = kDrops + count_of<DropReason>();
inline constexpr size_t kDowngrades = kFailovers + 1;
// TLS: handshakes [direction][ok, failed], failures [direction][reason], connections that
// completed a handshake opened and closed [version] (the gauge is their difference).
inline constexpr size_t kTlsHandshakes = kDowngrades + 1;
inline constexpr size_t kTlsFailures = kTlsHandshakes + count_of<Direction>() * 2;
inline constexpr size_t kTlsOpened = kTlsFailures + count_of<Direction>() * count_of<TlsFailure>();
inline constexpr size_t kTlsClosed = kTlsOpened + count_of<TlsVersion>();
inline constexpr size_t kResponseDrops = kTlsClosed + count_of<TlsVersion>();  // [reason]
inline constexpr size_t kEvents = kResponseDrops + count_of<ResponseDropReason>();
inline constexpr size_t kCount = kEvents + count_of<Event>();

// Offset of the sum within a histogram.
inline constexpr size_t kHistogramSum = kLatencyBucketCount;

constexpr size_t request(Direction d, resolve::Transport t, Method m) {
  return kRequests +
         (static_cast<size_t>(d) * kTransportCount + static_cast<size_t>(t)) * count_of<Method>() +
         static_cast<size_t>(m);
}

// `status_class` is 0 for 1xx ... 5 for 6xx.
constexpr size_t response(Direction d, resolve::Transport t, size_t status_class) {
  return kResponses +
         (static_cast<size_t>(d) * kTransportCount + static_cast<size_t>(t)) * kStatusClassCount +
         status_class;
}

constexpr size_t tls_handshake(Direction d, bool ok) {
  return kTlsHandshakes + static_cast<size_t>(d) * 2 + (ok ? 0 : 1);
}

constexpr size_t tls_failure(Direction d, TlsFailure f) {
  return kTlsFailures + static_cast<size_t>(d) * count_of<TlsFailure>() + static_cast<size_t>(f);
}

constexpr size_t policy(size_t rule, size_t verdict) {
  return kPolicy + rule * kVerdictCount + verdict;
}

}  // namespace slot
}  // namespace sipedge::metrics
