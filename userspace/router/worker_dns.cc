// A request whose targets are not cached waits here (parked on the worker, never blocking
// the loop) while RFC 3263 runs on c-ares; requests for the same key share one resolution.
#include <algorithm>

#include "router/worker.h"

namespace sipedge::router {
namespace {

// How long "no target" is remembered when DNS itself failed (SERVFAIL, timeout): long
// enough that a flood for one dead domain does not hammer the servers, short enough that
// recovery is quick. NXDOMAIN/NODATA use their RFC 2308 TTL.
constexpr int64_t kFailureTtlMs = 2000;
constexpr uint32_t kMaxNegativeTtlS = 60;

}  // namespace

void Worker::park(std::string_view raw, const RxContext& rx, const TargetKey& key,
                  const resolve::ResolveRequest& request, bool static_route) {
  auto [it, inserted] = pending_.try_emplace(std::string(key.view()));
  it->second.waiting.push_back(Parked{std::string(raw), rx});
  ++parked_;
  if (!inserted) return;
  it->second.started_ms = now_ms_;
  // May answer synchronously (every DNS answer cached): on_resolved then runs before
  // resolve() returns, which is why the waiter is queued first.
  resolver_->resolve(request,
                     [this, k = it->first, tkey = key, static_route](resolve::ResolveResult&& r) {
                       on_resolved(k, tkey, static_route, std::move(r));
                     });
}

void Worker::on_resolved(const std::string& key, const TargetKey& tkey, bool static_route,
                         resolve::ResolveResult&& r) {
  if (closing_) return;
  auto it = pending_.find(key);
  if (it == pending_.end()) return;
  std::vector<Parked> waiting = std::move(it->second.waiting);
  int64_t started = it->second.started_ms;
  pending_.erase(it);
  parked_ -= waiting.size();

  TargetList list;
  for (const resolve::Target& t : r.targets) {
    if (list.count == TargetList::kMaxTargets) break;
    list.targets[list.count++] = HopTarget{t.transport, net::Endpoint{t.address, t.port}};
  }
  list.negative = list.count == 0;
  list.set_tls_identity(r.tls_identity);
  bool dns_failed = false;
  for (const resolve::DnsStep& s : r.steps) dns_failed |= resolve::is_upstream_failure(s.status);
  if (static_route && list.count > 0) {
    m_.count_resolve(metrics::ResolveOutcome::kStaticRoute);
  } else if (r.steps.empty()) {
    m_.count_resolve(metrics::ResolveOutcome::kNumeric);
  } else if (list.count > 0) {
    m_.count_resolve(metrics::ResolveOutcome::kTargets);
  } else {
    m_.count_resolve(dns_failed ? metrics::ResolveOutcome::kDnsFailure
                                : metrics::ResolveOutcome::kNoTargets);
  }
  for (const resolve::DnsStep& s : r.steps)
    if (s.stale) m_.count_stale();
  if (!r.steps.empty())
    m_.observe_dns_latency_us(static_cast<uint64_t>(std::max<int64_t>(0, now_ms_ - started)) *
                              1000);

  uint32_t max_ttl = snap_->config.dns.max_ttl_s;
  if (list.count > 0) {
    uint32_t ttl = std::min(r.min_ttl_s, max_ttl);
    if (ttl > 0) targets_.insert(tkey, list, now_ms_ + static_cast<int64_t>(ttl) * 1000, now_ms_);
  } else if (dns_failed || r.min_ttl_s == 0) {
    targets_.insert(tkey, list, now_ms_ + kFailureTtlMs, now_ms_);
  } else {
    uint32_t ttl = std::min(r.min_ttl_s, kMaxNegativeTtlS);
    targets_.insert(tkey, list, now_ms_ + static_cast<int64_t>(ttl) * 1000, now_ms_);
  }
  if (list.count == 0 && log::enabled(log::Level::kDebug))
    LOG_DEBUG("no target for %s: %s", key.c_str(), r.error.c_str());

  for (Parked& p : waiting) {
    auto ok = parser_.parse(p.raw, sip::Framing::kDatagram, &reparse_);
    if (!ok) continue;  // parsed fine before; cannot happen
    // A stream message that waited may have lost its connection meanwhile: replies to it
    // then go nowhere, forwarding still happens.
    on_parsed(reparse_, p.raw, p.rx, &list);
  }
}

}  // namespace sipedge::router
