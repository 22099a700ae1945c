#include "resolve/caching_dns_source.h"

#include <utility>

namespace sipedge::resolve {

namespace {

DnsStep cache_step(const std::string& name, RrType type, const DnsAnswer& a, bool stale) {
  return DnsStep{name, type, a.status, static_cast<uint32_t>(a.record_count()), true, stale};
}

}  // namespace

void CachingDnsSource::lookup(const std::string& name, RrType type, Callback done) {
  const CacheLookup hit = cache_.lookup(name, type, clock_());
  if (hit.state == CacheState::kFresh) {
    done(*hit.answer, {cache_step(name, type, *hit.answer, false)}, false);
    return;
  }
  upstream_.query(name, type,
                  [this, name, type, done = std::move(done)](DnsUpstream::Reply&& reply) {
                    const int64_t now = clock_();
                    if (is_upstream_failure(reply.answer.status)) {
                      const CacheLookup old = cache_.lookup(name, type, now);
                      if (old.state != CacheState::kMiss) {
                        // RFC 8767: the upstream failed; an answer that expired recently beats
                        // none.
                        if (old.state == CacheState::kStale) cache_.note_stale_served();
                        reply.steps.push_back(
                            cache_step(name, type, *old.answer, old.state == CacheState::kStale));
                        done(*old.answer, std::move(reply.steps), true);
                        return;
                      }
                    } else {
                      cache_.insert(name, type, reply.answer, now);
                    }
                    done(reply.answer, std::move(reply.steps), true);
                  });
}

}  // namespace sipedge::resolve
