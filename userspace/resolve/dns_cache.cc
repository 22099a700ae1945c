#include "resolve/dns_cache.h"

#include <sys/random.h>
#include <urcu-qsbr.h>

#include <algorithm>
#include <array>
#include <chrono>
#include <cstring>
#include <new>
#include <string>

#include "resolve/rcu_thread.h"

namespace sipedge::resolve {

// The type under which the NXDOMAIN cut (RFC 8020) records "this name does not exist";
// never a real query type.
constexpr RrType kNxDomainMarker = static_cast<RrType>(0);

// One immutable answer, allocated as one block: the name's bytes, then the struct. A hit
// reads none of it unless the caller reads the answer (SRV, NAPTR, a large address set) or
// the name is longer than the index slot holds; what a hit needs is copied into the entry's
// slot (DnsCacheIndex). The writer's queue links follow the answer.
struct DnsCache::Entry {
  uint64_t hash = 0;
  RrType type = RrType::kA;
  uint16_t name_len = 0;
  int64_t expires_at_ms = 0;
  DnsAnswer answer;
  // Writer-only, under writer_mu_.
  Entry* prev = nullptr;
  Entry* next = nullptr;
  bool in_main = false;
  size_t bytes = 0;  // what this entry counts against max_bytes
  std::atomic<size_t>* pending_bytes = nullptr;
  rcu_head rcu;

  static constexpr size_t kAlign = 64;
  // Bytes reserved in front of the struct for a name of `len` bytes (keeps the alignment).
  static size_t prefix_for(size_t len) { return (len + kAlign - 1) / kAlign * kAlign; }
  const char* name() const { return reinterpret_cast<const char*>(this) - prefix_for(name_len); }

  // Allocates an entry with `name` stored just before it.
  static Entry* create(std::string_view name) {
    const size_t prefix = prefix_for(name.size());
    auto* mem =
        static_cast<char*>(::operator new (prefix + sizeof(Entry), std::align_val_t{kAlign}));
    std::memcpy(mem, name.data(), name.size());
    auto* e = new (mem + prefix) Entry;
    e->name_len = static_cast<uint16_t>(name.size());
    return e;
  }
  static void destroy(Entry* e) {
    char* mem = const_cast<char*>(e->name());
    e->~Entry();
    ::operator delete (mem, std::align_val_t{kAlign});
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

// The part of a name beyond what the index slot holds, compared with the entry's copy.
bool rest_matches(const void* entry, std::string_view rest) {
  const auto* e = static_cast<const DnsCache::Entry*>(entry);
  return same_bytes(e->name() + DnsCacheIndex::kInlineName, rest.data(), rest.size());
}

uint64_t random_seed() {
  uint64_t seed = 0;
  if (getrandom(&seed, sizeof seed, 0) != sizeof seed) {
    seed = static_cast<uint64_t>(std::chrono::steady_clock::now().time_since_epoch().count());
  }
  return seed;
}

size_t string_heap(const std::string& s) { return s.capacity() > 15 ? s.capacity() + 1 : 0; }

// Memory an entry holds: its block and the heap behind its records and strings.
size_t entry_bytes(const DnsCache::Entry& e) {
  const DnsAnswer& a = e.answer;
  size_t n = DnsCache::Entry::prefix_for(e.name_len) + sizeof(DnsCache::Entry);
  n += string_heap(a.canonical_name);
  n += a.addresses.capacity() * sizeof(IpAddress);
  n += a.srv.capacity() * sizeof(SrvRecord);
  for (const SrvRecord& r : a.srv) n += string_heap(r.target);
  n += a.naptr.capacity() * sizeof(NaptrRecord);
  for (const NaptrRecord& r : a.naptr) {
    n += string_heap(r.flags) + string_heap(r.service) + string_heap(r.regexp) +
         string_heap(r.replacement);
  }
  return n;
}

// rcu_barrier() orders every reclaim() before its return; liburcu is not instrumented, so
// reclaim() releases this token and wait_for_reclamation() acquires it (for TSan).
const char kReclaimedToken = 0;

void reclaim(rcu_head* head) {
  auto* e = caa_container_of(head, DnsCache::Entry, rcu);
  // The grace period that just ended ordered every reader's last use of `e` before this
  // point; tell ThreadSanitizer (see rcu_thread.h).
  rcu_internal::annotate_acquire(&rcu_internal::kQuiescentToken);
  rcu_internal::annotate_acquire(e);
  e->pending_bytes->fetch_sub(e->bytes, std::memory_order_relaxed);
  DnsCache::Entry::destroy(e);
  rcu_internal::annotate_release(&kReclaimedToken);
}

}  // namespace

DnsCache::DnsCache(DnsCacheConfig config)
    : config_([&] {
        config.max_entries = std::max<size_t>(config.max_entries, 1);
        config.small_fifo_percent = std::clamp(config.small_fifo_percent, 1u, 90u);
        return config;
      }()),
      seed_(random_seed()),
      index_(config_.max_entries) {}

DnsCache::~DnsCache() {
  {
    std::lock_guard<std::mutex> lock(writer_mu_);
    for (Fifo* q : {&small_, &main_}) {
      while (q->head != nullptr) drop(q->head);
    }
  }
  wait_for_reclamation();  // every retired entry is freed before the cache goes
}

void DnsCache::wait_for_reclamation() const {
  // liburcu refuses rcu_barrier() from an online QSBR thread (it would wait for itself).
  const bool was_online = rcu_read_ongoing() != 0;
  if (was_online) rcu_thread_offline();
  rcu_barrier();
  rcu_internal::annotate_acquire(&kReclaimedToken);
  if (was_online) rcu_thread_online();
}

// GCC's SLP vectoriser would build the result's address words as a vector by storing them
// to the stack and reloading them 16 bytes at a time, which the core cannot forward from
// its store buffer: a stall that cost more than the rest of a hit. Plain 8-byte stores.
#if defined(__GNUC__) && !defined(__clang__)
#define SIPEDGE_NO_SLP_VECTORIZE [[gnu::optimize("no-tree-slp-vectorize")]]
#else
#define SIPEDGE_NO_SLP_VECTORIZE
#endif

SIPEDGE_NO_SLP_VECTORIZE
CacheLookup DnsCache::lookup(std::string_view name, RrType type, int64_t now_ms) const {
  // One result object, filled in place on every path (returned without a copy).
  CacheLookup out;
  const SlotHit slot = index_.find(dns_cache_key_hash(name, type, seed_), name, type, rest_matches);
  if (slot.entry == nullptr) return out;
  if (now_ms < slot.expires_at_ms) {
    out.state = CacheState::kFresh;
  } else if (now_ms - slot.expires_at_ms < int64_t{config_.stale_window_s} * 1000) {
    out.state = CacheState::kStale;
  } else {
    return out;
  }
  // The entry's address, not a load from it: a caller that reads only the slot's copy
  // below never touches the entry.
  out.answer = &static_cast<const Entry*>(slot.entry)->answer;
  out.expires_at_ms = slot.expires_at_ms;
  out.inline_count = slot.address_count;
  out.inline_family = type == RrType::kAaaa ? 6 : 4;
  out.inline_words = {slot.address0, slot.address1, slot.address2, slot.address3};
  return out;
}

CacheLookup DnsCache::lookup_nxdomain_cut(std::string_view name, int64_t now_ms) const {
  for (;;) {
    const CacheLookup hit = lookup(name, kNxDomainMarker, now_ms);
    if (hit.state == CacheState::kFresh) return hit;
    const size_t dot = name.find('.');
    if (dot == std::string_view::npos) return {};
    name.remove_prefix(dot + 1);
  }
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
    case DnsStatus::kBadName:
      return -1;  // says nothing about the data; serve-stale handles these
  }
  return -1;
}

bool DnsCache::insert(std::string_view name, RrType type, const DnsAnswer& answer, int64_t now_ms) {
  const int64_t ttl_s = cache_ttl_s(answer);
  if (ttl_s < 0 || name.empty() || name.size() > 255 || type == kNxDomainMarker) return false;
  std::lock_guard<std::mutex> lock(writer_mu_);
  if (!insert_locked(name, type, answer, ttl_s, now_ms)) return false;
  if (answer.status == DnsStatus::kNxDomain &&
      (answer.canonical_name.empty() || answer.canonical_name == name)) {
    // RFC 8020: nothing exists at or below this name, whatever the type.
    insert_locked(name, kNxDomainMarker, answer, ttl_s, now_ms);
  }
  return true;
}

bool DnsCache::insert_locked(std::string_view name, RrType type, const DnsAnswer& answer,
                             int64_t ttl_s, int64_t now_ms) {
  // Built completely before it is published; never modified afterwards (but for the
  // writer's links).
  Entry* e = Entry::create(name);
  e->hash = dns_cache_key_hash(name, type, seed_);
  e->type = type;
  e->answer = answer;
  e->expires_at_ms = now_ms + ttl_s * 1000;
  e->bytes = entry_bytes(*e);
  e->pending_bytes = &pending_bytes_;

  // An entry for the same key, if any, is replaced in place in the FIFOs and in its slot:
  // it keeps its standing (main FIFO, referenced mark) so a refresh does not demote a hot
  // entry.
  Entry* old = const_cast<Entry*>(static_cast<const Entry*>(
      index_.find(e->hash, name, type, rest_matches, /*mark_referenced=*/false).entry));
  size_t old_bytes = 0;
  if (old != nullptr) {
    // Out of the FIFOs (so eviction cannot pick it) but still in the index until the
    // publish below swaps the slot: readers see the old answer or the new, never a miss.
    e->in_main = old->in_main;
    unlink(old);
    size_.fetch_sub(1, std::memory_order_relaxed);
    live_bytes_.fetch_sub(old->bytes, std::memory_order_relaxed);
    old_bytes = old->bytes;
  }
  if (!make_room(e->bytes + old_bytes)) {
    refused_.fetch_add(1, std::memory_order_relaxed);
    Entry::destroy(e);  // never published
    if (old != nullptr) {
      // Keep serving the old answer (it expires on its own) rather than lose the key.
      push(old->in_main ? main_ : small_, old);
      size_.fetch_add(1, std::memory_order_relaxed);
      live_bytes_.fetch_add(old->bytes, std::memory_order_relaxed);
    }
    return false;
  }
  // A key evicted from the small FIFO not long ago is in use after all: main FIFO.
  if (old == nullptr && take_ghost(e->hash)) e->in_main = true;
  const SlotRecord record{e->hash,          type, name,
                          e->expires_at_ms, e,    SlotAddresses::of(type, e->answer.addresses)};
  if (!index_.publish(record, old)) {
    // Cannot happen while size_ <= max_entries (the table has twice as many slots); never
    // overwrite a live slot if it does.
    refused_.fetch_add(1, std::memory_order_relaxed);
    Entry::destroy(e);
    if (old != nullptr) {
      index_.erase(old->hash, old);
      retire(old);
    }
    return false;
  }
  if (old != nullptr) retire(old);
  push(e->in_main ? main_ : small_, e);
  size_.fetch_add(1, std::memory_order_relaxed);
  live_bytes_.fetch_add(e->bytes, std::memory_order_relaxed);
  return true;
}

bool DnsCache::make_room(size_t bytes) {
  // Live entries get 3/4 of max_bytes; the rest is slack for entries waiting for their
  // grace period. Evicting moves bytes from live to waiting and frees nothing before the
  // grace period ends, so eviction only enforces the live budget; when the waiting
  // backlog leaves no room, the insert is refused and what readers use stays.
  const size_t live_budget = config_.max_bytes / 4 * 3;
  if (bytes > live_budget) return false;
  // Each step evicts or moves one entry; a bounded number of rotations (referenced
  // entries going round) keeps one insert's time under the mutex bounded.
  int rotations_left = 64;
  while (size_.load(std::memory_order_relaxed) + 1 > config_.max_entries ||
         live_bytes_.load(std::memory_order_relaxed) + bytes > live_budget) {
    if (!evict_step(&rotations_left)) return false;
  }
  return live_bytes_.load(std::memory_order_relaxed) +
             pending_bytes_.load(std::memory_order_relaxed) + bytes <=
         config_.max_bytes;
}

bool DnsCache::evict_step(int* rotations_left) {
  const size_t small_entry_cap =
      std::max<size_t>(1, config_.max_entries * config_.small_fifo_percent / 100);
  const size_t small_byte_cap = config_.max_bytes / 100 * config_.small_fifo_percent;
  const bool from_small =
      small_.head != nullptr &&
      (main_.head == nullptr || small_.count > small_entry_cap || small_.bytes > small_byte_cap);
  Fifo& q = from_small ? small_ : main_;
  Entry* victim = q.head;
  if (victim == nullptr) return false;
  std::atomic<uint8_t>* mark = index_.referenced(victim->hash, victim);
  const bool referenced = mark != nullptr && mark->load(std::memory_order_relaxed) != 0;
  if (referenced && *rotations_left > 0) {
    --*rotations_left;
    // Used since it came in (small) or since the hand last passed (main): keep it, in the
    // main FIFO, and clear the bit so it must be used again to survive the next pass.
    mark->store(0, std::memory_order_relaxed);
    unlink(victim);
    victim->in_main = true;
    push(main_, victim);
    return true;
  }
  if (from_small) remember_ghost(victim->hash);
  drop(victim);
  evictions_.fetch_add(1, std::memory_order_relaxed);
  return true;
}

void DnsCache::remember_ghost(uint64_t hash) {
  const size_t cap = config_.max_entries;
  if (ghost_ring_.size() < cap) {
    ghost_ring_.push_back(hash);
  } else {
    auto it = ghost_set_.find(ghost_ring_[ghost_next_]);
    if (it != ghost_set_.end()) ghost_set_.erase(it);
    ghost_ring_[ghost_next_] = hash;
    ghost_next_ = (ghost_next_ + 1) % cap;
  }
  ghost_set_.insert(hash);
}

bool DnsCache::take_ghost(uint64_t hash) {
  auto it = ghost_set_.find(hash);
  if (it == ghost_set_.end()) return false;
  ghost_set_.erase(it);  // its ring slot stays until overwritten (then finds nothing)
  return true;
}

void DnsCache::push(Fifo& q, Entry* e) {
  e->prev = q.tail;
  e->next = nullptr;
  (q.tail ? q.tail->next : q.head) = e;
  q.tail = e;
  ++q.count;
  q.bytes += e->bytes;
}

void DnsCache::unlink(Entry* e) {
  Fifo& q = e->in_main ? main_ : small_;
  (e->prev ? e->prev->next : q.head) = e->next;
  (e->next ? e->next->prev : q.tail) = e->prev;
  e->prev = e->next = nullptr;
  --q.count;
  q.bytes -= e->bytes;
}

void DnsCache::drop(Entry* e) {
  unlink(e);
  index_.erase(e->hash, e);
  size_.fetch_sub(1, std::memory_order_relaxed);
  live_bytes_.fetch_sub(e->bytes, std::memory_order_relaxed);
  retire(e);
}

void DnsCache::retire(Entry* e) {
  pending_bytes_.fetch_add(e->bytes, std::memory_order_relaxed);
  rcu_internal::annotate_release(e);
  call_rcu(&e->rcu, reclaim);
}

}  // namespace sipedge::resolve
