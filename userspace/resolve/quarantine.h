// RFC 3263 §4.3 failover memory: targets the router marked failed are quarantined for a
// while and moved to the end of later results. One per worker thread (not shared, no lock).
//
// Bounded: at most `max_entries` hops are remembered. A mark that finds the table full first
// forgets the quarantines that ended; when every entry is still live the new mark is refused
// (see mark_failed) rather than evicting one.
#pragma once

#include <cstdint>
#include <unordered_map>
#include <vector>

#include "resolve/resolve_types.h"

namespace sipedge::resolve {

class Quarantine {
 public:
  static constexpr size_t kDefaultMaxEntries = 4096;

  // Failed targets stay quarantined `quarantine_ms`; at most `max_entries` (≥ 1) at once.
  explicit Quarantine(int64_t quarantine_ms, size_t max_entries = kDefaultMaxEntries);

  // Records that `target` failed at `now_ms`; it stays quarantined until now_ms + period.
  // False (nothing recorded, refused() counts it) when the table is full of live
  // quarantines; a target already quarantined is always extended.
  bool mark_failed(const Target& target, int64_t now_ms);

  // True while `target` (transport, address, port) is quarantined at `now_ms`.
  bool is_quarantined(const Target& target, int64_t now_ms) const;
  // The same for a hop given by its parts (no Target to build: the hit path).
  bool is_quarantined(Transport transport, const IpAddress& address, uint16_t port,
                      int64_t now_ms) const;
  // True when nothing was marked failed since the last apply() forgot the ended ones.
  bool empty() const { return until_ms_.empty(); }
  // Entries held now (live or ended but not yet forgotten); never above max_entries().
  size_t size() const { return until_ms_.size(); }
  size_t max_entries() const { return max_entries_; }
  // Marks refused because the table was full.
  uint64_t refused() const { return refused_; }

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
  // Drops the entries that ended by `now_ms`; O(1) until next_end_ms_.
  void forget_ended(int64_t now_ms);

  int64_t quarantine_ms_;
  size_t max_entries_;
  // The next rescan: when the first entry ends (extending one leaves that a lower bound),
  // but at most every quarantine_ms / 64, so a flood of marks against a full table costs a
  // scan now and then, not one per mark. Ended entries kept meanwhile are not quarantined
  // (is_quarantined compares times); they only hold room a little longer.
  int64_t next_end_ms_ = INT64_MAX;
  uint64_t refused_ = 0;
  std::unordered_map<Key, int64_t, KeyHash> until_ms_;
};

}  // namespace sipedge::resolve
