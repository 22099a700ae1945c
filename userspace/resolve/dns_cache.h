// The DNS cache shared by all worker threads: (name, type) → parsed answer.
//
// Readers never lock, allocate, write shared memory or make a syscall: a lookup hashes the
// key and probes an open-addressing index of (hash, entry pointer) slots with acquire
// loads (rcu_slot_index.h). Writers publish new immutable entries (replace, never modify)
// with release stores and retire the old ones through liburcu's call_rcu (QSBR flavour):
// an entry is freed only after every registered reader passed a quiescent state, so a
// pointer a reader holds stays valid until that reader's next RcuThread::quiescent() or
// offline(). Writers serialise on a mutex among themselves only (the miss path, after a
// network round trip).
#pragma once

#include <atomic>
#include <cstddef>
#include <cstdint>
#include <mutex>
#include <string_view>

#include "resolve/dns_records.h"
#include "resolve/rcu_slot_index.h"

namespace sipedge::resolve {

struct DnsCacheConfig {
  size_t max_entries = 65536;  // bound; the oldest-inserted entry is evicted first
  uint32_t min_ttl_s = 5;      // TTLs are clamped into [min_ttl_s, max_ttl_s]
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

  // Writer: publishes `answer` for (name, type) with its clamped TTL, replacing any older
  // entry, evicting the oldest when full. Answers that must not be cached (upstream
  // failures, negative answers without an SOA) are ignored: returns false. The calling
  // thread must be an online RcuThread.
  bool insert(std::string_view name, RrType type, const DnsAnswer& answer, int64_t now_ms);

  // Counts one answer served stale (RFC 8767) for metrics.
  void note_stale_served() { stale_served_.fetch_add(1, std::memory_order_relaxed); }
  uint64_t stale_served() const { return stale_served_.load(std::memory_order_relaxed); }
  uint64_t evictions() const { return evictions_.load(std::memory_order_relaxed); }
  size_t size() const { return size_.load(std::memory_order_relaxed); }
  const DnsCacheConfig& config() const { return config_; }

  struct Entry;  // opaque; defined in dns_cache.cc

 private:
  // The TTL (seconds) an answer gets in the cache, or -1 when it must not be cached.
  int64_t cache_ttl_s(const DnsAnswer& answer) const;
  void unlink_fifo(Entry* e);
  static void retire(Entry* e);

  DnsCacheConfig config_;
  RcuSlotIndex index_;
  std::mutex writer_mu_;        // writers only; guards the FIFO below and size accounting
  Entry* fifo_head_ = nullptr;  // oldest inserted
  Entry* fifo_tail_ = nullptr;
  std::atomic<size_t> size_{0};
  std::atomic<uint64_t> stale_served_{0};
  std::atomic<uint64_t> evictions_{0};
};

// Hash of a cache key; exposed so benchmarks can build equivalent baselines.
uint64_t dns_cache_key_hash(std::string_view name, RrType type);

}  // namespace sipedge::resolve
