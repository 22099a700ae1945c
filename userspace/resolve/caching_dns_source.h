// DnsSource that answers from the shared DnsCache and goes to the upstream on a miss or an
// expired entry; when the upstream fails, a stale entry is served and counted (RFC 8767).
#pragma once

#include <cstdint>
#include <functional>

#include "resolve/dns_cache.h"
#include "resolve/dns_source.h"
#include "resolve/dns_upstream.h"

namespace sipedge::resolve {

class CachingDnsSource : public DnsSource {
 public:
  using Clock = std::function<int64_t()>;  // monotonic milliseconds

  // `cache` is shared across workers; `upstream` belongs to this worker.
  CachingDnsSource(DnsCache& cache, DnsUpstream& upstream, Clock clock)
      : cache_(cache), upstream_(upstream), clock_(std::move(clock)) {}

  // See DnsSource::lookup. A fresh hit answers before returning, without touching the
  // network; the calling thread must be an online RcuThread.
  void lookup(const std::string& name, RrType type, Callback done) override;

 private:
  DnsCache& cache_;
  DnsUpstream& upstream_;
  Clock clock_;
};

}  // namespace sipedge::resolve
