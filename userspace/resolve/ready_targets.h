// The resolver's hit path: per resolver (so per worker, no lock), the finished target list
// of a request, keyed by (scheme, host, port, transport=, maddr=) and kept until the
// shortest TTL of the DNS answers it came from. A hit costs a key build (lower-casing
// the host into a fixed buffer), one probe over a compact hash array, one key compare and
// a copy of the targets into the caller's fixed-capacity ReadyTargets: no allocation, no
// lock, no syscall.
//
// The list is the order one resolution drew (RFC 2782 weighted selection happens once
// per cached list, not per hit); the quarantine (RFC 3263 §4.3) is applied at every hit.
#pragma once

#include <array>
#include <cstdint>
#include <memory>
#include <optional>
#include <span>
#include <string_view>

#include "resolve/resolve_types.h"

namespace sipedge::resolve {

// A ResolveRequest's facts without owned strings, so a caller can build one from the
// bytes of a parsed URI without allocating.
struct ResolveRequestView {
  bool sips = false;
  std::string_view host;  // IPv6 without brackets; names as written
  HostKind host_kind = HostKind::kName;
  std::optional<uint16_t> port;
  std::optional<std::string_view> transport;  // the transport= value, lower-cased
  std::optional<std::string_view> maddr;

  // A view of `request` (valid while `request` lives).
  static ResolveRequestView of(const ResolveRequest& request);
};

// One next hop on the hit path: the Target's routing facts without its strings. The TLS
// identity (R8) is the list's (ReadyTargets::tls_identity) for TLS-protected transports.
struct ReadyTarget {
  Transport transport = Transport::kUdp;
  uint16_t port = 0;
  IpAddress address;
  bool operator==(const ReadyTarget&) const = default;
};

// What a hit hands out: fixed capacity, filled in place, nothing on the heap.
struct ReadyTargets {
  static constexpr size_t kMaxTargets = 16;
  static constexpr size_t kMaxIdentity = 255;
  std::array<ReadyTarget, kMaxTargets> targets;
  uint8_t count = 0;
  uint32_t ttl_left_s = 0;  // how long this list stays valid (whole seconds)
  uint8_t identity_len = 0;
  std::array<char, kMaxIdentity> identity{};

  std::span<const ReadyTarget> view() const { return {targets.data(), count}; }
  // The domain of the resolved URI: the name a TLS next hop's certificate must carry (R8).
  std::string_view tls_identity() const { return {identity.data(), identity_len}; }
};

class ReadyTargetCache {
 public:
  static constexpr size_t kMaxKey = 272;  // flags, port, transport=, maddr= and the host

  struct Key {
    std::array<char, kMaxKey> bytes;
    uint16_t len = 0;
    uint16_t host_offset = 0;  // the normalised host (the TLS identity) is the key's tail
    uint64_t hash = 0;
    std::string_view view() const { return {bytes.data(), len}; }
    std::string_view host() const {
      return {bytes.data() + host_offset, size_t{len} - host_offset};
    }
  };

  // Builds the key of `request` (host lower-cased, one trailing dot dropped, as the
  // resolver normalises it); false when it does not fit (such requests are not cached).
  static bool make_key(const ResolveRequestView& request, Key* out);

  // Room for `capacity` entries (twice as many slots, a power of two; 0 disables the
  // cache). The table is allocated on the first insert, once.
  explicit ReadyTargetCache(size_t capacity);
  ~ReadyTargetCache();
  ReadyTargetCache(const ReadyTargetCache&) = delete;
  ReadyTargetCache& operator=(const ReadyTargetCache&) = delete;

  // Copies the live list for `key` at `now_ms` into `out`; false on a miss or an expired
  // entry. No allocation.
  bool find(const Key& key, int64_t now_ms, ReadyTargets* out);
  // Stores `targets` for `key` until `expires_ms`; lists longer than kMaxTargets are not
  // stored (a hit must give what resolve() gives). Evicts an expired entry, else the least
  // used one of the key's probe window.
  void insert(const Key& key, std::span<const Target> targets, int64_t expires_ms, int64_t now_ms);

  bool enabled() const { return capacity_ > 0; }
  size_t size() const { return used_; }
  uint64_t hits() const { return hits_; }
  uint64_t misses() const { return misses_; }

 private:
  struct Entry {
    Key key;
    int64_t expires_ms = 0;
    uint8_t count = 0;
    uint8_t uses = 0;  // saturating hit count since insertion, halved when a window is full
    std::array<ReadyTarget, ReadyTargets::kMaxTargets> targets;
  };
  static constexpr size_t kProbe = 16;  // slots a key may take: its home and the next 15

  size_t capacity_;
  size_t mask_ = 0;
  std::unique_ptr<uint64_t[]> hashes_;  // per slot: the key hash, 0 = empty (one line / 8 slots)
  std::unique_ptr<Entry[]> entries_;
  size_t used_ = 0;
  uint64_t hits_ = 0;
  uint64_t misses_ = 0;
};

}  // namespace sipedge::resolve
