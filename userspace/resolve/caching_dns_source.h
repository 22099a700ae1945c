// DnsSource that answers from the shared DnsCache and goes to the upstream on a miss or an
// expired entry, with RFC 8767 serve-stale and in-flight coalescing:
//
// - A stale entry is refreshed in the background; if the refresh has not answered after
//   the client-response timer (RFC 8767 §5 suggests 1.8 s), the stale answer is served and
//   the refresh goes on (a fresh answer refills the cache).
// - A refresh that fails (SERVFAIL, timeout) serves the stale answer and starts the
//   failure-recheck timer (RFC 8767: 30 s): until it ends, the stale answer is served at
//   once and the name is not asked again.
// - Concurrent misses for one (name, type) on this worker share one upstream query; with a
//   SharedQueryTable participant, so do misses on different workers: the first to miss
//   sends the query, the others wait for its reply (drain_shared() takes it), and ask the
//   upstream themselves only if it has not come within shared_wait_ms.
// - A cached NXDOMAIN for a name or any name above it answers every type (RFC 8020).
//
// Everything here is per worker and used from the worker's thread only. Shared: the
// DnsCache (lock-free reads) and, on the miss path only, the SharedQueryTable (one mutex).
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
#include "resolve/shared_query_table.h"

namespace sipedge::resolve {

struct CachingDnsSourceConfig {
  int64_t client_response_ms = 1800;    // RFC 8767 client-response timer; 0: wait for upstream
  int64_t failure_recheck_ms = 30'000;  // RFC 8767 failure-recheck timer
  size_t max_recheck_entries = 4096;    // bound on the per-worker recheck memory
  // How long a miss waits for another worker's query before asking the upstream itself: a
  // little above the upstream's worst case (AresOptions' default: tries 1 s + 2 s). <= 0: no
  // limit (the owner always publishes, if only a failure when it leaves).
  int64_t shared_wait_ms = 3500;
};

class CachingDnsSource : public DnsSource {
 public:
  using Clock = std::function<int64_t()>;  // monotonic milliseconds

  // `cache` is shared across workers; `upstream` belongs to this worker (its timers, when
  // it has them, run the client-response and shared-wait timers). With a joined `shared`,
  // misses are shared with the table's other participants (see drain_shared()); it leaves
  // the table when this source is destroyed.
  CachingDnsSource(DnsCache& cache, DnsUpstream& upstream, Clock clock,
                   CachingDnsSourceConfig config = {}, SharedQueryTable::Participant shared = {});
  ~CachingDnsSource() override;

  // See DnsSource::lookup. A fresh hit answers before returning, without touching the
  // network; the calling thread must be an online RcuThread.
  void lookup(const std::string& name, RrType type, Callback done) override;

  // The upstream's timers.
  TimerId schedule(int64_t delay_ms, std::function<void()> fn) override {
    return upstream_.schedule(delay_ms, std::move(fn));
  }
  void cancel(TimerId id) override { upstream_.cancel(id); }

  // Answers the lookups that waited for other workers' queries whose outcomes have been
  // posted since the last call; returns how many outcomes it took. Cheap when there are
  // none (one atomic load, no lock): the router calls it every loop turn. Same thread and
  // RCU rules as lookup().
  size_t drain_shared();

  // Leaves the SharedQueryTable now: other workers waiting for our queries get timeouts, and
  // our waits for theirs end as timeouts (stale data served where there is some). Call it
  // while the upstream's timers and the lookups' callbacks are still alive (the router: first
  // in the worker's teardown, before its AresDriver goes); afterwards nothing is shared.
  void leave_shared();

  // Upstream queries sent (coalesced misses count once), for tests and metrics.
  uint64_t upstream_queries() const { return upstream_queries_; }
  // Lookups that joined a query already in flight on this worker.
  uint64_t coalesced() const { return coalesced_; }
  // Misses that waited for another worker's query instead of sending one (each is an
  // upstream query saved, unless its wait expired).
  uint64_t shared_waits() const { return shared_waits_; }
  // Shared waits that ended in shared_wait_ms without the owner's outcome (then this worker
  // asked the upstream itself).
  uint64_t shared_waits_expired() const { return shared_waits_expired_; }

 private:
  struct Pending;
  void serve_cached(const std::string& name, RrType type, const CacheLookup& hit, bool stale,
                    const Callback& done, std::vector<DnsStep>&& steps, bool network);
  void send_query(const std::string& key, Pending& p);
  // A query another worker answered between our cache miss and our claim: answer from the
  // cache and release the claim; false when the cache still has no fresh answer.
  bool answer_claimed_from_cache(const std::string& key, const std::string& name, RrType type,
                                 const Callback& done);
  void on_client_timer(const std::string& key);
  void on_shared_wait_expired(const std::string& key);
  void on_reply(const std::string& key, DnsUpstream::Reply&& reply);
  // Takes `key`'s pending out of in_flight_ and cancels its timers.
  std::shared_ptr<Pending> finish_pending(
      std::unordered_map<std::string, std::shared_ptr<Pending>>::iterator it);
  // Records the upstream's answer (failure-recheck timer; the cache when `insert`), posts
  // `publish` (the same reply) to the other workers waiting for it when given, and answers
  // every waiter of `p` (stale data instead of a failure when there is some).
  void complete(Pending& p, const std::string& key, const DnsUpstream::Reply& reply, bool insert,
                std::shared_ptr<const DnsUpstream::Reply> publish = nullptr);
  bool recheck_pending(const std::string& key, int64_t now);
  void note_failure(const std::string& key, int64_t now);

  DnsCache& cache_;
  DnsUpstream& upstream_;
  Clock clock_;
  CachingDnsSourceConfig config_;
  std::unordered_map<std::string, std::shared_ptr<Pending>> in_flight_;  // key: type + name
  std::unordered_map<std::string, int64_t> recheck_until_;
  std::shared_ptr<bool> alive_ = std::make_shared<bool>(true);  // for timers outliving us
  SharedQueryTable::Participant shared_;                        // empty: this worker shares nothing
  uint64_t upstream_queries_ = 0;
  uint64_t coalesced_ = 0;
  uint64_t shared_waits_ = 0;
  uint64_t shared_waits_expired_ = 0;
};

}  // namespace sipedge::resolve
