#include "resolve/dns_cache.h"

#include <urcu-qsbr.h>

#include <algorithm>
#include <cstring>
#include <new>
#include <string>

#include "resolve/rcu_thread.h"

namespace sipedge::resolve {

// One immutable answer, allocated as one block: the name's bytes, then the struct, so the
// name and the fields a lookup reads (hash, type, length, expiry) share cache lines and a
// match touches no second allocation. Cold, writer-only fields come last.
struct DnsCache::Entry {
  uint64_t hash = 0;
  RrType type = RrType::kA;
  uint16_t name_len = 0;
  int64_t expires_at_ms = 0;
  int64_t stale_until_ms = 0;
  DnsAnswer answer;
  rcu_head rcu;
  // Writer-only, under writer_mu_.
  Entry* fifo_prev = nullptr;
  Entry* fifo_next = nullptr;

  // Bytes reserved in front of the struct for a name of `len` bytes (keeps the alignment).
  static size_t prefix_for(size_t len) {
    return (len + alignof(Entry) - 1) / alignof(Entry) * alignof(Entry);
  }
  const char* name() const { return reinterpret_cast<const char*>(this) - prefix_for(name_len); }

  // Allocates an entry with `name` stored just before it.
  static Entry* create(std::string_view name) {
    const size_t prefix = prefix_for(name.size());
    auto* mem = static_cast<char*>(::operator new(prefix + sizeof(Entry)));
    std::memcpy(mem, name.data(), name.size());
    auto* e = new (mem + prefix) Entry;
    e->name_len = static_cast<uint16_t>(name.size());
    return e;
  }
  static void destroy(Entry* e) {
    char* mem = const_cast<char*>(e->name());
    e->~Entry();
    ::operator delete(mem);
  }
};

namespace {

// Equal-length byte comparison, 8 bytes at a time (names are short; no libc call).
bool same_bytes(const char* a, const char* b, size_t n) {
  for (; n >= 8; a += 8, b += 8, n -= 8) {
    uint64_t x, y;
    std::memcpy(&x, a, 8);
    std::memcpy(&y, b, 8);
    if (x != y) return false;
  }
  for (; n > 0; --n) {
    if (*a++ != *b++) return false;
  }
  return true;
}

bool entry_matches(const DnsCache::Entry* e, std::string_view name, RrType type) {
  return e->type == type && e->name_len == name.size() &&
         same_bytes(e->name(), name.data(), name.size());
}

void reclaim(rcu_head* head) {
  auto* e = caa_container_of(head, DnsCache::Entry, rcu);
  // The grace period that just ended ordered every reader's last use of `e` before this
  // point; tell ThreadSanitizer (see rcu_thread.h).
  rcu_internal::annotate_acquire(&rcu_internal::kQuiescentToken);
  rcu_internal::annotate_acquire(e);
  DnsCache::Entry::destroy(e);
}

}  // namespace

uint64_t dns_cache_key_hash(std::string_view name, RrType type) {
  // One multiply per 8 bytes and a short finaliser: the index uses the low bits, so the
  // final step folds the well-mixed high half of the product into them.
  uint64_t h = (uint64_t{name.size()} << 16 | static_cast<uint64_t>(type)) * 0x9e3779b97f4a7c15ULL;
  const char* p = name.data();
  size_t n = name.size();
  for (; n >= 8; p += 8, n -= 8) {
    uint64_t w;
    std::memcpy(&w, p, 8);
    h = (h ^ w) * 0xbf58476d1ce4e5b9ULL;
  }
  uint64_t tail = 0;
  for (size_t i = 0; i < n; ++i) tail |= uint64_t{static_cast<unsigned char>(p[i])} << (8 * i);
  h = (h ^ tail ^ (h >> 32)) * 0x94d049bb133111ebULL;
  return h ^ (h >> 29);
}

DnsCache::DnsCache(DnsCacheConfig config)
    : config_([&] {
        config.max_entries = std::max<size_t>(config.max_entries, 1);
        return config;
      }()),
      index_(config_.max_entries) {}

DnsCache::~DnsCache() {
  {
    std::lock_guard<std::mutex> lock(writer_mu_);
    while (fifo_head_ != nullptr) {
      Entry* e = fifo_head_;
      unlink_fifo(e);
      index_.erase(e->hash, e);
      retire(e);
    }
  }
  // liburcu refuses rcu_barrier() from an online QSBR thread (it would wait for itself).
  const bool was_online = rcu_read_ongoing() != 0;
  if (was_online) rcu_thread_offline();
  rcu_barrier();  // every retired entry and slot array is freed before the index goes
  if (was_online) rcu_thread_online();
}

CacheLookup DnsCache::lookup(std::string_view name, RrType type, int64_t now_ms) const {
  const void* p = index_.find(dns_cache_key_hash(name, type), [&](const void* candidate) {
    return entry_matches(static_cast<const Entry*>(candidate), name, type);
  });
  if (p == nullptr) return {};
  const auto* e = static_cast<const Entry*>(p);
  if (now_ms < e->expires_at_ms) return {CacheState::kFresh, &e->answer, e->expires_at_ms};
  if (now_ms < e->stale_until_ms) return {CacheState::kStale, &e->answer, e->expires_at_ms};
  return {};
}

int64_t DnsCache::cache_ttl_s(const DnsAnswer& answer) const {
  if (!answer.has_ttl) return -1;
  switch (answer.status) {
    case DnsStatus::kNoError:
      return std::clamp<int64_t>(answer.ttl, config_.min_ttl_s, config_.max_ttl_s);
    case DnsStatus::kNoData:
    case DnsStatus::kNxDomain: {
      const int64_t cap = std::min(config_.max_negative_ttl_s, config_.max_ttl_s);
      return std::clamp<int64_t>(answer.ttl, std::min<int64_t>(config_.min_ttl_s, cap), cap);
    }
    case DnsStatus::kServFail:
    case DnsStatus::kTimeout:
      return -1;  // says nothing about the data; serve-stale handles these
  }
  return -1;
}

bool DnsCache::insert(std::string_view name, RrType type, const DnsAnswer& answer, int64_t now_ms) {
  const int64_t ttl_s = cache_ttl_s(answer);
  if (ttl_s < 0 || name.size() > 255) return false;
  // Built completely before it is published; never modified afterwards.
  Entry* e = Entry::create(name);
  e->hash = dns_cache_key_hash(name, type);
  e->type = type;
  e->answer = answer;
  e->expires_at_ms = now_ms + ttl_s * 1000;
  e->stale_until_ms = e->expires_at_ms + int64_t{config_.stale_window_s} * 1000;

  std::lock_guard<std::mutex> lock(writer_mu_);
  void* old = index_.upsert(e->hash, e, [&](const void* candidate) {
    return entry_matches(static_cast<const Entry*>(candidate), name, type);
  });
  e->fifo_prev = fifo_tail_;
  (fifo_tail_ ? fifo_tail_->fifo_next : fifo_head_) = e;
  fifo_tail_ = e;
  if (old != nullptr) {
    Entry* o = static_cast<Entry*>(old);
    unlink_fifo(o);
    retire(o);
  } else {
    size_.fetch_add(1, std::memory_order_relaxed);
  }
  // Bounded size: evict the oldest insertions (with TTL-bounded entries this approximates
  // "closest to expiry" without touching anything on the read path).
  while (size_.load(std::memory_order_relaxed) > config_.max_entries && fifo_head_ != e) {
    Entry* victim = fifo_head_;
    unlink_fifo(victim);
    index_.erase(victim->hash, victim);
    retire(victim);
    size_.fetch_sub(1, std::memory_order_relaxed);
    evictions_.fetch_add(1, std::memory_order_relaxed);
  }
  return true;
}

void DnsCache::unlink_fifo(Entry* e) {
  (e->fifo_prev ? e->fifo_prev->fifo_next : fifo_head_) = e->fifo_next;
  (e->fifo_next ? e->fifo_next->fifo_prev : fifo_tail_) = e->fifo_prev;
  e->fifo_prev = e->fifo_next = nullptr;
}

void DnsCache::retire(Entry* e) {
  rcu_internal::annotate_release(e);
  call_rcu(&e->rcu, reclaim);
}

}  // namespace sipedge::resolve
