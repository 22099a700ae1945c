// The router's hit path: per worker, the finished RFC 3263 target list for a
// (scheme, host, port, transport) key, kept until the shortest TTL of the DNS answers it
// came from. A hit costs a hash, one probe sequence over a flat table and a key compare:
// no lock (the table is the worker's own), no allocation (entries are fixed-size and
// allocated once), no syscall (the caller passes the loop's clock).
//
// Eviction keeps what is used: a hit bumps the entry's small saturating use count; an
// insert that finds its probe window full first takes an expired entry, then the oldest
// entry that was never hit since it came in (probation), and only when every entry in the
// window is in use does it age them all (halving the counts) and take the least used. A
// flood of random names therefore recycles the entries it created itself and leaves the
// ones real traffic keeps touching.
#pragma once

#include <algorithm>
#include <array>
#include <atomic>
#include <memory>
#include <cstdint>
#include <string_view>
#include <vector>

#include "net/endpoint.h"
#include "resolve/transport.h"

namespace sipedge::router {

struct HopTarget {
  resolve::Transport transport = resolve::Transport::kUdp;
  net::Endpoint endpoint;
};

// A key built without allocation: "s|host|port|transport" in a fixed buffer.
struct TargetKey {
  static constexpr size_t kMax = 300;
  std::array<char, kMax> bytes;
  uint16_t len = 0;
  uint64_t hash = 0;
  std::string_view view() const { return {bytes.data(), len}; }
};

// Builds the key for a URI's routing facts; false when it does not fit (names over 255).
bool make_target_key(bool sips, std::string_view host, uint16_t port, std::string_view transport,
                     TargetKey* out);

struct TargetList {
  static constexpr size_t kMaxTargets = 8;
  static constexpr size_t kMaxIdentity = 255;
  std::array<HopTarget, kMaxTargets> targets;
  uint8_t count = 0;
  bool negative = false;  // resolution found no target (cached for the negative TTL)
  // The name a TLS next hop's certificate must carry: the domain of the URI that was
  // resolved, not the SRV target (R8, RFC 5922). Stored inline: a hit allocates nothing.
  uint8_t identity_len = 0;
  std::array<char, kMaxIdentity> identity{};
  std::string_view tls_identity() const { return {identity.data(), identity_len}; }
  // Sets the identity; false (and left empty) when it is longer than a DNS name can be.
  bool set_tls_identity(std::string_view name) {
    if (name.size() > kMaxIdentity) return false;
    std::copy(name.begin(), name.end(), identity.begin());
    identity_len = static_cast<uint8_t>(name.size());
    return true;
  }
};

class TargetCache {
 public:
  // `capacity` entries (rounded up to a power of two), allocated here once.
  explicit TargetCache(size_t capacity);

  // The live list for `key` at `now_ms`, or nullptr. Marks the entry referenced.
  const TargetList* find(const TargetKey& key, int64_t now_ms);
  // Stores `list` for `key` until `expires_ms`.
  void insert(const TargetKey& key, const TargetList& list, int64_t expires_ms, int64_t now_ms);
  size_t size() const { return used_; }
  uint64_t evictions() const { return evictions_; }

 private:
  struct Entry {
    TargetKey key;
    TargetList list;
    int64_t expires_ms = 0;
    uint64_t inserted = 0;  // insertion sequence number (age among probationary entries)
    bool used = false;
    uint8_t hits = 0;  // saturating use count since insertion
  };
  static constexpr size_t kProbe = 8;
  std::vector<Entry> entries_;
  size_t mask_;
  size_t used_ = 0;
  uint64_t evictions_ = 0;
  uint64_t sequence_ = 0;
};

// Recently failed hops (RFC 3263 §4.3, stateless proxy): the next request for the same URI
// skips them, so a client's retransmission reaches the next target. Shared by every worker:
// an ICMP error is delivered to whichever socket of the SO_REUSEPORT group the kernel's
// lookup picks, not necessarily the worker that sent the datagram (or that will see the
// retransmission).
//
// ICMP is a hint (issue 18): anyone on the path can forge an ICMP error, so a hop that
// answered within the quarantine period is quarantined only after kIcmpErrorsToQuarantine
// errors within kIcmpWindowMs; a hop not heard from recently (or never) still goes on one.
//
// Lock-free and bounded: a fixed table of atomic slots, allocated once. Readers do relaxed
// loads; writers store. A slot's fields are separate atomics, so a reader racing a writer
// (or two writers racing) may see one hop's key with another's times, or lose one error
// count or one "answered" time: that shortens or lengthens one quarantine, or needs one
// more error, which is advisory. No field is ever read non-atomically (TSan clean).
class HopQuarantine {
 public:
  static constexpr int kIcmpErrorsToQuarantine = 3;
  static constexpr int64_t kIcmpWindowMs = 2'000;
  // mark_answered() rewrites a remembered time only when it is older than this, so hops
  // that answer all the time do not keep writing a cache line every worker reads.
  static constexpr int64_t kAnsweredRefreshMs = 1'000;

  // `capacity` slots (rounded up to a power of two, at least kWays); `period_ms` is how
  // long a failed hop stays quarantined.
  HopQuarantine(size_t capacity, int64_t period_ms);
  // Quarantines `t` until now_ms + period (non-ICMP failures: TCP connect refused or timed
  // out, TLS handshake failed). `now_ms` is monotonic and never negative.
  void mark_failed(const HopTarget& t, int64_t now_ms);
  // Records that a message arrived from `t` at `now_ms` (hit path: one group of slots,
  // loads only unless the remembered time is over kAnsweredRefreshMs old).
  void mark_answered(const HopTarget& t, int64_t now_ms);
  // Weighs an ICMP error that net::classify_icmp_error() counted as a hop failure; true
  // when `t` is quarantined now (then, and only then, tell the resolver too).
  bool report_icmp_error(const HopTarget& t, int64_t now_ms);
  // True while `t` is quarantined at `now_ms`.
  bool is_quarantined(const HopTarget& t, int64_t now_ms) const;

 private:
  static constexpr int64_t kNever = INT64_MIN / 4;  // "no time": far enough to subtract from
  struct alignas(32) Slot {
    std::atomic<uint64_t> key{0};  // hash of (transport, endpoint), never 0 when used
    std::atomic<int64_t> until_ms{0};
    std::atomic<int64_t> answered_ms{kNever};  // the last message from the hop
    // ICMP errors counted against an answering hop: window start (ms) << 8 | count.
    std::atomic<uint64_t> errors{0};
  };
  static_assert(sizeof(Slot) == 32, "two slots per cache line");
  // Slots are searched in groups of kWays, so two hops whose slots collide both stay
  // quarantined.
  static constexpr size_t kWays = 4;
  static uint64_t key_of(const HopTarget& t);
  size_t group_of(uint64_t key) const;
  Slot* find(uint64_t key, size_t group) const;
  // The slot `key` uses for a failure: its own, else the one whose loss costs least.
  Slot* claim_for_failure(uint64_t key, size_t group, int64_t now_ms);
  static void take_over(Slot& s, uint64_t key);
  void quarantine(Slot& s, int64_t now_ms);
  bool answered_recently(const Slot& s, int64_t now_ms) const;
  std::unique_ptr<Slot[]> slots_;
  size_t size_;
  int64_t period_ms_;
};

}  // namespace sipedge::router
