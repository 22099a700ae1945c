// Where cache misses go: a network DNS client that follows CNAME chains. AresUpstream is
// the real one; tests substitute canned upstreams to drive the cache's serve-stale path.
#pragma once

#include <cstdint>
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

  using TimerId = uint64_t;
  // Runs `fn` from the event loop once `delay_ms` has passed; returns 0 when this upstream has
  // no timers (then the caller does without), an id for cancel() otherwise.
  virtual TimerId schedule(int64_t /*delay_ms*/, std::function<void()> /*fn*/) { return 0; }
  // Drops a timer that has not run; no effect otherwise.
  virtual void cancel(TimerId /*id*/) {}
};

}  // namespace sipedge::resolve
