// RFC 3263 §4.3 failover memory: targets the router marked failed are quarantined for a
// while and moved to the end of later results. One per worker thread (not shared, no lock).
#pragma once

#include <cstdint>
#include <unordered_map>
#include <vector>

#include "resolve/resolve_types.h"

namespace sipedge::resolve {

class Quarantine {
 public:
  explicit Quarantine(int64_t quarantine_ms) : quarantine_ms_(quarantine_ms) {}

  // Records that `target` failed at `now_ms`; it stays quarantined until now_ms + period.
  void mark_failed(const Target& target, int64_t now_ms);

  // True while `target` (transport, address, port) is quarantined at `now_ms`.
  bool is_quarantined(const Target& target, int64_t now_ms) const;
  // The same for a hop given by its parts (no Target to build: the hit path).
  bool is_quarantined(Transport transport, const IpAddress& address, uint16_t port,
                      int64_t now_ms) const;
  // True when nothing was marked failed since the last apply() forgot the ended ones.
  bool empty() const { return until_ms_.empty(); }

  // Stable-moves the quarantined targets to the end, keeping both parts' order; forgets
  // quarantines that ended.
  void apply(std::vector<Target>* targets, int64_t now_ms);

 private:
  struct Key {
    Transport transport;
    IpAddress address;
    uint16_t port;
    bool operator==(const Key&) const = default;
  };
  struct KeyHash {
    size_t operator()(const Key& k) const;
  };
  static Key key_of(const Target& t) { return Key{t.transport, t.address, t.port}; }

  int64_t quarantine_ms_;
  std::unordered_map<Key, int64_t, KeyHash> until_ms_;
};

}  // namespace sipedge::resolve
