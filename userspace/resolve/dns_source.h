// The resolver's view of DNS: "give me (name, type), call me back once". Implemented by
// CachingDnsSource (cache in front of c-ares) and by canned fakes in unit tests.
#pragma once

#include <cstdint>
#include <functional>
#include <string>
#include <vector>

#include "resolve/dns_records.h"
#include "resolve/resolve_types.h"

namespace sipedge::resolve {

class DnsSource {
 public:
  // `answer` is valid only during the call; `steps` are the lookups made (cache hits
  // included); `from_network` is true when at least one query went on the wire.
  using Callback =
      std::function<void(const DnsAnswer& answer, std::vector<DnsStep>&& steps, bool from_network)>;

  virtual ~DnsSource() = default;

  // Looks up `name` (normalised: lower-case, no trailing dot) of `type`, following CNAMEs.
  // Calls `done` exactly once, possibly before returning (a cache hit).
  virtual void lookup(const std::string& name, RrType type, Callback done) = 0;

  using TimerId = uint64_t;
  // Runs `fn` from the event loop once `delay_ms` has passed; returns 0 when this source has
  // no timers (then the caller does without), an id for cancel() otherwise.
  virtual TimerId schedule(int64_t /*delay_ms*/, std::function<void()> /*fn*/) { return 0; }
  // Drops a timer that has not run; no effect otherwise.
  virtual void cancel(TimerId /*id*/) {}
};

}  // namespace sipedge::resolve
