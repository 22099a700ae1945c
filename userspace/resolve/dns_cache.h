// The DNS cache shared by all worker threads: (name, type) → parsed answer.
//
// Readers never lock, allocate, write shared memory (but for a one-time "referenced" mark)
// or make a syscall: a lookup hashes the key and probes an open-addressing index whose
// 128-byte slots hold what a hit reads: the key, the expiry and a small address set beside
// the pointer to the whole entry (dns_cache_index.h). So a hit that needs only those costs
// one dependent cache miss, the slot. Slots are seqlocks that only the writer changes.
// Entries are immutable (replaced, never modified); writers retire the old ones through
// liburcu's call_rcu (QSBR flavour): an entry is freed only after every registered reader
// passed a quiescent state, so a pointer a reader holds stays valid until that reader's next
// RcuThread::quiescent() or offline(). Writers serialise on a mutex among themselves only (the
// miss path, after a network round trip); a writer holds it for one insert: O(1) index work
// (no table rebuild) plus a bounded number of eviction steps.
//
// Eviction is S3-FIFO (Yang et al., SOSP 2023): a new entry enters a small probationary
// FIFO; a hit sets the entry's "referenced" mark in its slot (one relaxed store, only when
// the mark is clear); an entry leaving the small FIFO moves to the main FIFO if it was
// referenced and is evicted otherwise, its key hash remembered in a ghost FIFO (max_entries
// hashes); a key that comes back while remembered goes straight to the main FIFO. The main
// FIFO is a CLOCK (referenced entries go round again). So a flood of names seen once (random
// subdomains chosen by a sender) churns the small FIFO only and cannot wash out the entries
// real traffic uses.
//
// Memory bound: live entries (their allocation, records and strings) plus entries retired
// but not yet reclaimed (waiting for a grace period) stay within max_bytes. Live entries
// are evicted down to 3/4 of it; when the reclamation backlog fills the rest, an insert
// is refused (the entries in use stay). The slot array is fixed at 256 * max_entries bytes
// (128-byte slots, at least twice as many as entries, rounded up to a power of two) on top.
//
// The key hash is seeded per cache from the kernel's random pool, so a sender cannot
// precompute names that pile up in one probe cluster.
#pragma once

#include <atomic>
#include <cstddef>
#include <cstdint>
#include <cstring>
#include <mutex>
#include <span>
#include <string_view>
#include <unordered_set>
#include <vector>

#include "resolve/dns_records.h"
#include "resolve/dns_cache_index.h"

namespace sipedge::resolve {

struct DnsCacheConfig {
  size_t max_entries = 65536;           // bound on entries (S3-FIFO eviction, see above)
  size_t max_bytes = size_t{64} << 20;  // bound on entry memory, reclamation backlog included
  // Share of max_entries / max_bytes the probationary FIFO may take before it is evicted.
  unsigned small_fifo_percent = 10;
  uint32_t min_ttl_s = 5;  // TTLs are clamped into [min_ttl_s, max_ttl_s]
  uint32_t max_ttl_s = 86400;
  uint32_t max_negative_ttl_s = 3600;  // RFC 2308 §5: negative answers are kept shorter
  uint32_t stale_window_s = 86400;     // RFC 8767: serve up to this long past expiry
};

enum class CacheState : uint8_t {
  kMiss,   // no entry, or expired beyond the stale window
  kFresh,  // within its TTL
  kStale,  // expired, still inside the stale window: usable only if the upstream fails
};

struct CacheLookup {
  CacheState state = CacheState::kMiss;
  const DnsAnswer* answer = nullptr;  // valid until the caller's next quiescent state
  int64_t expires_at_ms = 0;
  // The answer's A/AAAA addresses as the index slot holds them (up to 4 IPv4 or 2 IPv6, in
  // SlotAddresses' layout), copied with the lookup, so reading them through address() costs
  // no further cache miss; inline_count is SlotAddresses::kNotInline when they did not fit.
  uint8_t inline_count = SlotAddresses::kNotInline;
  uint8_t inline_family = 4;
  std::array<uint64_t, 4> inline_words{};

  // Number of A/AAAA addresses of the answer (answer->addresses.size()).
  size_t address_count() const {
    if (inline_count != SlotAddresses::kNotInline) return inline_count;
    return answer == nullptr ? 0 : answer->addresses.size();
  }
  // The answer's address `i` (< address_count()): from the slot's copy when there is one.
  IpAddress address(size_t i) const {
    if (inline_count == SlotAddresses::kNotInline) return answer->addresses[i];
    return SlotAddresses::at(inline_words.data(), inline_family, i);
  }
};

class DnsCache {
 public:
  explicit DnsCache(DnsCacheConfig config = {});
  // Must run with no concurrent readers or writers; waits for pending reclamation.
  ~DnsCache();
  DnsCache(const DnsCache&) = delete;
  DnsCache& operator=(const DnsCache&) = delete;

  // Reader (hot path): no lock, no allocation, no syscall. The calling thread must be an
  // online RcuThread; `name` must be normalised (normalize_dns_name).
  CacheLookup lookup(std::string_view name, RrType type, int64_t now_ms) const;

  // Miss path (RFC 8020 NXDOMAIN cut): a fresh cached NXDOMAIN for `name` or any name
  // above it, which answers every type at `name`; state kMiss when there is none. Costs one
  // probe per label. Same thread rules as lookup().
  CacheLookup lookup_nxdomain_cut(std::string_view name, int64_t now_ms) const;

  // Writer: publishes `answer` for (name, type) with its clamped TTL, replacing any older
  // entry, evicting (S3-FIFO) when full. Answers that must not be cached (upstream
  // failures, negative answers without an SOA, bad names) are ignored, and so is an answer
  // that does not fit the byte bound: returns false. An NXDOMAIN for the name itself (no
  // CNAME) is also recorded for the NXDOMAIN cut. The calling thread must be an online
  // RcuThread.
  bool insert(std::string_view name, RrType type, const DnsAnswer& answer, int64_t now_ms);

  // Counts one answer served stale (RFC 8767) for metrics.
  void note_stale_served() { stale_served_.fetch_add(1, std::memory_order_relaxed); }
  uint64_t stale_served() const { return stale_served_.load(std::memory_order_relaxed); }
  uint64_t evictions() const { return evictions_.load(std::memory_order_relaxed); }
  // Inserts refused because the byte bound could not be met (reclamation backlog).
  uint64_t refused_inserts() const { return refused_.load(std::memory_order_relaxed); }
  size_t size() const { return size_.load(std::memory_order_relaxed); }
  // Bytes of entries retired and not yet freed (waiting for a grace period).
  size_t pending_reclaim_bytes() const { return pending_bytes_.load(std::memory_order_relaxed); }
  // Waits until every entry retired so far is freed (rcu_barrier); the calling thread, if
  // an RcuThread, is offline meanwhile. Not for hot paths: tests and shutdown.
  void wait_for_reclamation() const;
  // Bytes of the index's slot array (fixed: 128-byte slots, see above), what a hit reads.
  size_t slot_bytes() const { return index_.slot_bytes(); }
  // Bytes held by live entries plus entries waiting for reclamation (<= max_bytes).
  size_t bytes() const {
    return live_bytes_.load(std::memory_order_relaxed) +
           pending_bytes_.load(std::memory_order_relaxed);
  }
  const DnsCacheConfig& config() const { return config_; }

  struct Entry;  // opaque; defined in dns_cache.cc

 private:
  struct Fifo {
    Entry* head = nullptr;  // next to leave
    Entry* tail = nullptr;
    size_t count = 0;
    size_t bytes = 0;
  };

  // The TTL (seconds) an answer gets in the cache, or -1 when it must not be cached.
  int64_t cache_ttl_s(const DnsAnswer& answer) const;
  bool insert_locked(std::string_view name, RrType type, const DnsAnswer& answer, int64_t ttl_s,
                     int64_t now_ms);
  // Evicts until one more entry of `bytes` fits; false when the bound cannot be met.
  bool make_room(size_t bytes);
  // One S3-FIFO step: evicts or promotes/rotates one entry; false when nothing is left.
  bool evict_step(int* rotations_left);
  void push(Fifo& q, Entry* e);
  void unlink(Entry* e);
  void drop(Entry* e);  // out of the index and the FIFO, retired, accounted
  void retire(Entry* e);
  void remember_ghost(uint64_t hash);
  bool take_ghost(uint64_t hash);  // true (and forgotten) when `hash` was remembered

  const DnsCacheConfig config_;
  const uint64_t seed_;  // of the key hash
  DnsCacheIndex index_;  // readers load only its first cache line and their slots

  // Writer bookkeeping: its own cache lines, away from what readers load.
  alignas(64) std::mutex writer_mu_;
  Fifo small_;
  Fifo main_;
  std::vector<uint64_t> ghost_ring_;  // hashes evicted from small_, oldest overwritten
  size_t ghost_next_ = 0;
  std::unordered_multiset<uint64_t> ghost_set_;  // the same hashes, for membership
  std::atomic<size_t> live_bytes_{0};
  std::atomic<size_t> size_{0};
  std::atomic<uint64_t> evictions_{0};
  std::atomic<uint64_t> refused_{0};
  // Decremented by the reclamation thread; shared line with no reader traffic.
  alignas(64) std::atomic<size_t> pending_bytes_{0};
  std::atomic<uint64_t> stale_served_{0};
};

// Hash of a cache key under `seed`; exposed so benchmarks can build equivalent baselines.
// Inline: it is most of a small cache's hit.
inline uint64_t dns_cache_key_hash(std::string_view name, RrType type, uint64_t seed = 0) {
  // One multiply per 8 bytes and a short finaliser: the index uses the low bits, so the
  // final step folds the well-mixed high half of the product into them. The seed enters
  // first, so where two names collide depends on it.
  uint64_t h =
      (seed ^ (uint64_t{name.size()} << 16 | static_cast<uint64_t>(type))) * 0x9e3779b97f4a7c15ULL;
  const char* p = name.data();
  size_t n = name.size();
  for (; n >= 8; p += 8, n -= 8) {
    uint64_t w;
    std::memcpy(&w, p, 8);
    // The shift folds high bits back down: without it two names whose words differ only in
    // their top bits would collide whatever the seed (the multiply never carries them down).
    h = (h ^ w) * 0xbf58476d1ce4e5b9ULL;
    h ^= h >> 32;
  }
  const uint64_t tail = tail_word(name.data(), name.size(), name.size() - n);
  h = (h ^ tail ^ (h >> 32)) * 0x94d049bb133111ebULL;
  return h ^ (h >> 29);
}

}  // namespace sipedge::resolve
