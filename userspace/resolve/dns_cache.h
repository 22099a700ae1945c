// The DNS cache shared by all worker threads: (name, type) → parsed answer.
//
// Readers never lock, allocate, write shared memory or make a syscall: a lookup hashes the
// key and probes an open-addressing index of (hash, entry pointer) slots with acquire
// loads (rcu_slot_index.h). Writers publish new immutable entries (replace, never modify)
// with release stores and retire the old ones through liburcu's call_rcu (QSBR flavour):
// an entry is freed only after every registered reader passed a quiescent state, so a
// pointer a reader holds stays valid until that reader's next RcuThread::quiescent() or
// offline(). Writers serialise on a mutex among themselves only (the miss path, after a
// network round trip); a writer holds it for one insert: O(1) index work (no table
// rebuild) plus a bounded number of eviction steps.
//
// Eviction is S3-FIFO (Yang et al., SOSP 2023): a new entry enters a small probationary
// FIFO; a hit sets the entry's "referenced" bit (one relaxed store, only when the bit is
// clear); an entry leaving the small FIFO moves to the main FIFO if it was referenced and
// is evicted otherwise, its key hash remembered in a ghost FIFO (max_entries hashes); a
// key that comes back while remembered goes straight to the main FIFO. The main FIFO is a
// CLOCK (referenced entries go round again). So a flood of names seen once (random
// subdomains chosen by a sender) churns the small FIFO only and cannot wash out the
// entries real traffic uses.
//
// Memory bound: live entries (their allocation, records and strings) plus entries retired
// but not yet reclaimed (waiting for a grace period) stay within max_bytes. Live entries
// are evicted down to 3/4 of it; when the reclamation backlog fills the rest, an insert
// is refused (the entries in use stay). The slot array is fixed at
// 32 * max_entries bytes (rounded up to a power of two) on top.
#pragma once

#include <atomic>
#include <cstddef>
#include <cstdint>
#include <mutex>
#include <span>
#include <string_view>
#include <unordered_set>
#include <vector>

#include "resolve/dns_records.h"
#include "resolve/rcu_slot_index.h"

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
  // The answer's addresses (A/AAAA), the same as answer->addresses; up to
  // DnsCache::kInlineAddresses of them are read from a copy inside the entry, on the line
  // the lookup already loaded, so a hit that reads them costs no further cache miss.
  std::span<const IpAddress> addresses;
};

class DnsCache {
 public:
  // Address sets up to this size are also stored inside the entry (see CacheLookup).
  static constexpr size_t kInlineAddresses = 4;

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
  RcuSlotIndex index_;  // readers load only its first cache line

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

// Hash of a cache key; exposed so benchmarks can build equivalent baselines.
uint64_t dns_cache_key_hash(std::string_view name, RrType type);

}  // namespace sipedge::resolve
