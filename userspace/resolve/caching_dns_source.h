// DnsSource that answers from the shared DnsCache and goes to the upstream on a miss or an
// expired entry, with RFC 8767 serve-stale and in-flight coalescing:
//
// - A stale entry is refreshed in the background; if the refresh has not answered after
//   the client-response timer (RFC 8767 §5 suggests 1.8 s), the stale answer is served and
//   the refresh goes on (a fresh answer refills the cache).
// - A refresh that fails (SERVFAIL, timeout) serves the stale answer and starts the
//   failure-recheck timer (RFC 8767: 30 s): until it ends, the stale answer is served at
//   once and the name is not asked again.
// - Concurrent misses for one (name, type) on this worker share one upstream query.
// - A cached NXDOMAIN for a name or any name above it answers every type (RFC 8020).
//
// Everything here is per worker (no lock); only the DnsCache is shared.
#pragma once

#include <cstdint>
#include <functional>
#include <memory>
#include <string>
#include <unordered_map>
#include <vector>

#include "resolve/dns_cache.h"
#include "resolve/dns_source.h"
#include "resolve/dns_upstream.h"

namespace sipedge::resolve {

struct CachingDnsSourceConfig {
  int64_t client_response_ms = 1800;    // RFC 8767 client-response timer; 0: wait for upstream
  int64_t failure_recheck_ms = 30'000;  // RFC 8767 failure-recheck timer
  size_t max_recheck_entries = 4096;    // bound on the per-worker recheck memory
};

class CachingDnsSource : public DnsSource {
 public:
  using Clock = std::function<int64_t()>;  // monotonic milliseconds

  // `cache` is shared across workers; `upstream` belongs to this worker (its timers, when
  // it has them, run the client-response timer).
  CachingDnsSource(DnsCache& cache, DnsUpstream& upstream, Clock clock,
                   CachingDnsSourceConfig config = {});
  ~CachingDnsSource() override;

  // See DnsSource::lookup. A fresh hit answers before returning, without touching the
  // network; the calling thread must be an online RcuThread.
  void lookup(const std::string& name, RrType type, Callback done) override;

  // The upstream's timers.
  TimerId schedule(int64_t delay_ms, std::function<void()> fn) override {
    return upstream_.schedule(delay_ms, std::move(fn));
  }
  void cancel(TimerId id) override { upstream_.cancel(id); }

  // Upstream queries sent (coalesced misses count once), for tests and metrics.
  uint64_t upstream_queries() const { return upstream_queries_; }
  // Lookups that joined a query already in flight.
  uint64_t coalesced() const { return coalesced_; }

 private:
  struct Pending;
  void serve_cached(const std::string& name, RrType type, const CacheLookup& hit, bool stale,
                    const Callback& done, std::vector<DnsStep>&& steps, bool network);
  void on_client_timer(const std::string& key);
  void on_reply(const std::string& key, DnsUpstream::Reply&& reply);
  bool recheck_pending(const std::string& key, int64_t now);
  void note_failure(const std::string& key, int64_t now);

  DnsCache& cache_;
  DnsUpstream& upstream_;
  Clock clock_;
  CachingDnsSourceConfig config_;
  std::unordered_map<std::string, std::shared_ptr<Pending>> in_flight_;  // key: type + name
  std::unordered_map<std::string, int64_t> recheck_until_;
  std::shared_ptr<bool> alive_ = std::make_shared<bool>(true);  // for timers outliving us
  uint64_t upstream_queries_ = 0;
  uint64_t coalesced_ = 0;
};

}  // namespace sipedge::resolve
