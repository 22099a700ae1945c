// Where cache misses go: a network DNS client that follows CNAME chains. AresUpstream is
// the real one; tests substitute canned upstreams to drive the cache's serve-stale path.
#pragma once

#include <functional>
#include <string>
#include <vector>

#include "resolve/dns_records.h"
#include "resolve/resolve_types.h"

namespace sipedge::resolve {

class DnsUpstream {
 public:
  struct Reply {
    DnsAnswer answer;
    std::vector<DnsStep> steps;  // every query sent and CNAME link followed
  };
  using Callback = std::function<void(Reply&& reply)>;

  virtual ~DnsUpstream() = default;

  // Asks the network for (name, type), following CNAMEs to a bounded depth. Calls `done`
  // exactly once, from the event loop (never before returning).
  virtual void query(const std::string& name, RrType type, Callback done) = 0;
};

}  // namespace sipedge::resolve
