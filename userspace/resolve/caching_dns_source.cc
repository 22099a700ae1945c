#include "resolve/caching_dns_source.h"

#include <utility>

namespace sipedge::resolve {

namespace {

DnsStep cache_step(const std::string& name, RrType type, const CacheLookup& hit, bool stale,
                   int64_t now) {
  const DnsAnswer& a = *hit.answer;
  const int64_t left_ms = hit.expires_at_ms - now;
  const uint32_t left_s = left_ms <= 0 ? 0 : static_cast<uint32_t>(left_ms / 1000);
  return DnsStep{name, type,  a.status, static_cast<uint32_t>(a.record_count()),
                 true, stale, left_s};
}

std::string key_of(const std::string& name, RrType type) {
  std::string key(2, '\0');
  key[0] = static_cast<char>(static_cast<uint16_t>(type) >> 8);
  key[1] = static_cast<char>(static_cast<uint16_t>(type) & 0xff);
  key += name;
  return key;
}

}  // namespace

// One upstream query (ours, or another worker's we wait for) and the lookups waiting for it.
struct CachingDnsSource::Pending {
  std::string name;
  RrType type;
  std::vector<Callback> waiters;
  DnsUpstream::TimerId client_timer = 0;
  bool client_timer_fired = false;      // stale was served; later joiners get it at once
  bool shared_owner = false;            // claimed in the SharedQueryTable: publish the reply
  bool remote = false;                  // another worker's query; none sent from here
  DnsUpstream::TimerId wait_timer = 0;  // while remote: when to stop waiting
};

CachingDnsSource::CachingDnsSource(DnsCache& cache, DnsUpstream& upstream, Clock clock,
                                   CachingDnsSourceConfig config,
                                   SharedQueryTable::Participant shared)
    : cache_(cache),
      upstream_(upstream),
      clock_(std::move(clock)),
      config_(config),
      shared_(std::move(shared)) {}

CachingDnsSource::~CachingDnsSource() {
  *alive_ = false;
  for (auto& [key, p] : in_flight_) {
    if (p->client_timer != 0) upstream_.cancel(p->client_timer);
    if (p->wait_timer != 0) upstream_.cancel(p->wait_timer);
  }
  // shared_ leaves the table after this: the queries we own end for their waiters as
  // timeouts, and nothing is posted to us any more.
}

void CachingDnsSource::serve_cached(const std::string& name, RrType type, const CacheLookup& hit,
                                    bool stale, const Callback& done, std::vector<DnsStep>&& steps,
                                    bool network) {
  if (stale) cache_.note_stale_served();
  steps.push_back(cache_step(name, type, hit, stale, clock_()));
  done(*hit.answer, std::move(steps), network);
}

void CachingDnsSource::lookup(const std::string& name, RrType type, Callback done) {
  const int64_t now = clock_();
  const CacheLookup hit = cache_.lookup(name, type, now);
  if (hit.state == CacheState::kFresh) return serve_cached(name, type, hit, false, done, {}, false);
  if (hit.state == CacheState::kMiss) {
    const CacheLookup cut = cache_.lookup_nxdomain_cut(name, now);
    if (cut.state == CacheState::kFresh) {
      // RFC 8020: the name (or one above it) does not exist, whatever the type.
      std::vector<DnsStep> steps{cache_step(name, type, cut, false, now)};
      return done(*cut.answer, std::move(steps), false);
    }
  }
  const std::string key = key_of(name, type);
  if (hit.state == CacheState::kStale && recheck_pending(key, now)) {
    // A refresh failed less than failure_recheck_ms ago: the stale answer, no query.
    return serve_cached(name, type, hit, true, done, {}, false);
  }
  if (auto it = in_flight_.find(key); it != in_flight_.end()) {
    if (it->second->client_timer_fired && hit.state == CacheState::kStale) {
      return serve_cached(name, type, hit, true, done, {}, false);
    }
    ++coalesced_;
    it->second->waiters.push_back(std::move(done));
    return;
  }
  // Miss path only from here: the shared table's lock is cheap beside a network query.
  const bool owner = !shared_ || shared_.claim(key);
  if (owner && shared_ && answer_claimed_from_cache(key, name, type, done)) return;
  auto pending = std::make_shared<Pending>();
  pending->name = name;
  pending->type = type;
  pending->waiters.push_back(std::move(done));
  pending->shared_owner = owner && shared_;
  pending->remote = !owner;
  in_flight_.emplace(key, pending);
  if (hit.state == CacheState::kStale && config_.client_response_ms > 0) {
    pending->client_timer =
        upstream_.schedule(config_.client_response_ms, [this, alive = alive_, key] {
          if (*alive) on_client_timer(key);
        });
  }
  if (owner) return send_query(key, *pending);
  ++shared_waits_;
  if (config_.shared_wait_ms > 0) {
    pending->wait_timer = upstream_.schedule(config_.shared_wait_ms, [this, alive = alive_, key] {
      if (*alive) on_shared_wait_expired(key);
    });
  }
}

void CachingDnsSource::send_query(const std::string& key, Pending& p) {
  ++upstream_queries_;
  upstream_.query(p.name, p.type, [this, alive = alive_, key](DnsUpstream::Reply&& reply) {
    if (*alive) on_reply(key, std::move(reply));
  });
}

bool CachingDnsSource::answer_claimed_from_cache(const std::string& key, const std::string& name,
                                                 RrType type, const Callback& done) {
  // Between our miss and our claim, another worker may have inserted its answer and
  // released the key; asking again would be the duplicate query the table is for.
  const int64_t now = clock_();
  const CacheLookup again = cache_.lookup(name, type, now);
  if (again.state != CacheState::kFresh) return false;
  auto reply = std::make_shared<DnsUpstream::Reply>();
  reply->answer = *again.answer;
  reply->steps.push_back(cache_step(name, type, again, false, now));
  shared_.publish(key, std::move(reply));  // waiters that joined meanwhile get it too
  serve_cached(name, type, again, false, done, {}, false);
  return true;
}

void CachingDnsSource::on_client_timer(const std::string& key) {
  auto it = in_flight_.find(key);
  if (it == in_flight_.end()) return;
  Pending& p = *it->second;
  p.client_timer = 0;
  p.client_timer_fired = true;
  // The waiters are answered from a copy: an answer may start the next lookups (which
  // may join this very query) before this returns.
  std::vector<Callback> waiters = std::move(p.waiters);
  p.waiters.clear();
  const std::string name = p.name;
  const RrType type = p.type;
  for (Callback& done : waiters) {
    const CacheLookup hit = cache_.lookup(name, type, clock_());
    if (hit.state == CacheState::kMiss) {
      // Gone meanwhile (evicted): wait for the refresh after all.
      auto again = in_flight_.find(key);
      if (again != in_flight_.end()) again->second->waiters.push_back(std::move(done));
      continue;
    }
    std::vector<DnsStep> steps{
        DnsStep{name, type, DnsStatus::kTimeout, 0, false, false}};  // still unanswered
    serve_cached(name, type, hit, hit.state == CacheState::kStale, done, std::move(steps), true);
  }
}

void CachingDnsSource::on_shared_wait_expired(const std::string& key) {
  auto it = in_flight_.find(key);
  if (it == in_flight_.end() || !it->second->remote) return;
  Pending& p = *it->second;
  p.wait_timer = 0;
  p.remote = false;
  ++shared_waits_expired_;
  // The owner's outcome is overdue (its worker stalled, or its upstream is slower than
  // ours): ask ourselves. A late outcome is ignored (drain_shared skips non-remote ones).
  shared_.withdraw(key);
  send_query(key, p);
}

std::shared_ptr<CachingDnsSource::Pending> CachingDnsSource::finish_pending(
    std::unordered_map<std::string, std::shared_ptr<Pending>>::iterator it) {
  std::shared_ptr<Pending> p = std::move(it->second);
  in_flight_.erase(it);
  if (p->client_timer != 0) upstream_.cancel(p->client_timer);
  if (p->wait_timer != 0) upstream_.cancel(p->wait_timer);
  return p;
}

void CachingDnsSource::on_reply(const std::string& key, DnsUpstream::Reply&& reply) {
  auto it = in_flight_.find(key);
  if (it == in_flight_.end()) return;
  std::shared_ptr<Pending> p = finish_pending(it);
  if (!p->shared_owner) return complete(*p, key, reply, true);
  auto shared = std::make_shared<const DnsUpstream::Reply>(std::move(reply));
  complete(*p, key, *shared, true, shared);
}

size_t CachingDnsSource::drain_shared() {
  if (!shared_.has_mail()) return 0;
  std::vector<SharedQueryTable::Outcome> outcomes = shared_.take();
  for (SharedQueryTable::Outcome& o : outcomes) {
    auto it = in_flight_.find(o.key);
    if (it == in_flight_.end() || !it->second->remote) continue;  // we asked ourselves
    std::shared_ptr<Pending> p = finish_pending(it);
    // The owner has already put a good answer in the cache: do not insert it twice.
    complete(*p, o.key, *o.reply, false);
  }
  return outcomes.size();
}

void CachingDnsSource::leave_shared() {
  if (!shared_) return;
  shared_.reset();  // from now on nothing is posted to us
  std::vector<std::string> remote;
  for (const auto& [key, p] : in_flight_)
    if (p->remote) remote.push_back(key);
  DnsUpstream::Reply timeout;
  timeout.answer.status = DnsStatus::kTimeout;
  for (const std::string& key : remote) {
    auto it = in_flight_.find(key);
    // A callback answered above may have started lookups; only remote waits end here.
    if (it == in_flight_.end() || !it->second->remote) continue;
    std::shared_ptr<Pending> p = finish_pending(it);
    complete(*p, key, timeout, false);
  }
}

void CachingDnsSource::complete(Pending& p, const std::string& key, const DnsUpstream::Reply& reply,
                                bool insert, std::shared_ptr<const DnsUpstream::Reply> publish) {
  const int64_t now = clock_();
  const bool failed = is_upstream_failure(reply.answer.status);
  if (failed) {
    note_failure(key, now);
  } else {
    recheck_until_.erase(key);
    if (insert) cache_.insert(p.name, p.type, reply.answer, now);
  }
  // Other workers' waiters hear of it once the cache has it (a later miss then hits), and
  // before our own waiters' callbacks run (they may take a while: forwarding).
  if (publish) shared_.publish(key, std::move(publish));
  for (Callback& done : p.waiters) {
    std::vector<DnsStep> steps = reply.steps;
    if (steps.empty()) {
      // An owner that left before its query answered: no query step to show.
      steps.push_back(DnsStep{p.name, p.type, reply.answer.status, 0, false, false});
    }
    if (failed) {
      const CacheLookup old = cache_.lookup(p.name, p.type, now);
      if (old.state != CacheState::kMiss) {
        // RFC 8767: the upstream failed; an answer that expired recently beats none.
        serve_cached(p.name, p.type, old, old.state == CacheState::kStale, done, std::move(steps),
                     true);
        continue;
      }
    }
    done(reply.answer, std::move(steps), true);
  }
}

bool CachingDnsSource::recheck_pending(const std::string& key, int64_t now) {
  auto it = recheck_until_.find(key);
  if (it == recheck_until_.end()) return false;
  if (now < it->second) return true;
  recheck_until_.erase(it);
  return false;
}

void CachingDnsSource::note_failure(const std::string& key, int64_t now) {
  if (config_.failure_recheck_ms <= 0) return;
  if (recheck_until_.size() >= config_.max_recheck_entries) {
    std::erase_if(recheck_until_, [now](const auto& kv) { return kv.second <= now; });
    if (recheck_until_.size() >= config_.max_recheck_entries) return;  // bounded: skip
  }
  recheck_until_[key] = now + config_.failure_recheck_ms;
}

}  // namespace sipedge::resolve
