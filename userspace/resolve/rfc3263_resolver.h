// RFC 3263 §4 client procedure: turns a ResolveRequest into the ordered list of next-hop
// targets. Never rewrites the URI (R1); it only returns where to send.
#pragma once

#include <cstdint>
#include <functional>
#include <random>
#include <vector>

#include "resolve/address_order.h"
#include "resolve/dns_source.h"
#include "resolve/quarantine.h"
#include "resolve/ready_targets.h"
#include "resolve/resolve_types.h"

namespace sipedge::resolve {

struct ResolverConfig {
  // Transports tried, in this order, when there is no usable NAPTR (RFC 3263 §4.1 lets the
  // client choose); a sips: URI keeps only the TLS-protected ones (R3).
  std::vector<Transport> srv_fallback_order = {Transport::kTls, Transport::kTcp, Transport::kUdp};
  // NAPTR services the router speaks (SIP+D2U, SIP+D2T, SIPS+D2T, SIP+D2W, SIPS+D2W).
  std::vector<Transport> naptr_transports = {Transport::kUdp, Transport::kTcp, Transport::kTls,
                                             Transport::kWs, Transport::kWss};
  FamilyPreference family = FamilyPreference::kInterleave;
  int64_t quarantine_ms = 30'000;
  uint64_t seed = 0;  // SRV weighted-selection seed; the daemon passes a random one
  // Worst case from resolve() to `done`: past it the resolution fails ("deadline"),
  // whatever is still in flight. Needs a DnsSource with timers (CachingDnsSource over
  // AresUpstream has them); 0: no deadline. Stale answers come earlier (RFC 8767
  // client-response timer, CachingDnsSourceConfig).
  int64_t deadline_ms = 5000;
  // Entries of the ready-target cache behind try_resolve_cached() (two ~620-byte slots
  // each, so 1.3 MB for 1,024, allocated on the first completed resolution); 0 disables it.
  size_t ready_cache_entries = 1024;
};

class Rfc3263Resolver {
 public:
  // Monotonic milliseconds; injected so tests control time.
  using Clock = std::function<int64_t()>;
  using Done = std::function<void(ResolveResult&&)>;

  Rfc3263Resolver(DnsSource& dns, ResolverConfig config, Clock clock);

  // Resolves `request`; calls `done` exactly once with the targets (or an error), possibly
  // before returning when every answer came from the cache. The request is copied.
  void resolve(const ResolveRequest& request, Done done);

  // Marks a target as failed (RFC 3263 §4.3): later results put it last until the
  // quarantine ends. The router moves on to the next target of the list it already holds.
  void mark_failed(const Target& target);

  // The hit path: when a complete resolution of the same request finished earlier and
  // every DNS answer it used is still within its TTL, copies its targets (quarantined
  // ones last, as resolve() orders them) into `out` and returns true; false otherwise
  // (then call resolve(), which fills the cache when it completes). No allocation, no
  // lock, no syscall besides the injected clock. Errors, stale answers and lists longer
  // than ReadyTargets::kMaxTargets are never cached; the SRV weighted draw is the one of
  // the resolution that filled the entry.
  bool try_resolve_cached(const ResolveRequestView& request, ReadyTargets* out);
  // The same for an owned request.
  bool try_resolve_cached(const ResolveRequest& request, ReadyTargets* out) {
    return try_resolve_cached(ResolveRequestView::of(request), out);
  }
  // Hits and misses of try_resolve_cached(), entries held.
  const ReadyTargetCache& ready_cache() const { return ready_; }

  const ResolverConfig& config() const { return config_; }
  // The bound on the time to an answer (targets, stale targets or failure) in ms, given a
  // DnsSource with timers; 0 when unbounded.
  int64_t worst_case_ms() const { return config_.deadline_ms; }

 private:
  friend class ResolveJob;
  DnsSource& dns_;
  ResolverConfig config_;
  Clock clock_;
  std::mt19937_64 rng_;
  Quarantine quarantine_;
  ReadyTargetCache ready_;
};

}  // namespace sipedge::resolve
