#include "router/target_cache.h"

#include <cstring>

namespace sipedge::router {
namespace {

uint64_t fnv1a(const char* p, size_t n, uint64_t h = 1469598103934665603ULL) {
  for (size_t i = 0; i < n; ++i) {
    h ^= static_cast<unsigned char>(p[i]);
    h *= 1099511628211ULL;
  }
  return h;
}

char lower(char c) { return (c >= 'A' && c <= 'Z') ? static_cast<char>(c + 32) : c; }

size_t round_pow2(size_t n) {
  size_t p = 1;
  while (p < n) p <<= 1;
  return p;
}

}  // namespace

bool make_target_key(bool sips, std::string_view host, uint16_t port, std::string_view transport,
                     TargetKey* out) {
  // scheme(1) + '|' + host + '|' + port(5) + '|' + transport: transport values are tokens,
  // bounded by what fits.
  if (host.size() > 255 || transport.size() > 16) return false;
  char* p = out->bytes.data();
  *p++ = sips ? 's' : 'p';
  *p++ = '|';
  for (char c : host) *p++ = lower(c);
  // A trailing dot names the same host (RFC 1034 absolute name).
  if (!host.empty() && host.back() == '.') --p;
  *p++ = '|';
  char num[8];
  int n = port;
  int k = 0;
  do {
    num[k++] = static_cast<char>('0' + n % 10);
    n /= 10;
  } while (n);
  while (k) *p++ = num[--k];
  *p++ = '|';
  for (char c : transport) *p++ = lower(c);
  out->len = static_cast<uint16_t>(p - out->bytes.data());
  out->hash = fnv1a(out->bytes.data(), out->len);
  return true;
}

TargetCache::TargetCache(size_t capacity)
    : entries_(round_pow2(capacity < kProbe ? kProbe : capacity)), mask_(entries_.size() - 1) {}

const TargetList* TargetCache::find(const TargetKey& key, int64_t now_ms) {
  size_t base = key.hash & mask_;
  for (size_t i = 0; i < kProbe; ++i) {
    Entry& e = entries_[(base + i) & mask_];
    if (!e.used || e.key.hash != key.hash || e.key.len != key.len) continue;
    if (std::memcmp(e.key.bytes.data(), key.bytes.data(), key.len) != 0) continue;
    if (e.expires_ms <= now_ms) return nullptr;
    if (e.hits < 15) ++e.hits;
    return &e.list;
  }
  return nullptr;
}

void TargetCache::insert(const TargetKey& key, const TargetList& list, int64_t expires_ms,
                         int64_t now_ms) {
  size_t base = key.hash & mask_;
  Entry* victim = nullptr;
  // Same key, then a free or expired slot.
  for (size_t i = 0; i < kProbe; ++i) {
    Entry& e = entries_[(base + i) & mask_];
    if (e.used && e.key.hash == key.hash && e.key.len == key.len &&
        std::memcmp(e.key.bytes.data(), key.bytes.data(), key.len) == 0) {
      victim = &e;
      break;
    }
    if (!victim && (!e.used || e.expires_ms <= now_ms)) victim = &e;
  }
  if (!victim) {
    // The oldest entry still on probation (never hit)...
    for (size_t i = 0; i < kProbe; ++i) {
      Entry& e = entries_[(base + i) & mask_];
      if (e.hits == 0 && (!victim || e.inserted < victim->inserted)) victim = &e;
    }
    // ...else age the whole window and take the least used.
    if (!victim) {
      for (size_t i = 0; i < kProbe; ++i) {
        Entry& e = entries_[(base + i) & mask_];
        e.hits = static_cast<uint8_t>(e.hits / 2);
        if (!victim || e.hits < victim->hits ||
            (e.hits == victim->hits && e.inserted < victim->inserted))
          victim = &e;
      }
    }
    ++evictions_;
  }
  if (!victim->used) ++used_;
  victim->key = key;
  victim->list = list;
  victim->expires_ms = expires_ms;
  victim->used = true;
  victim->hits = 0;
  victim->inserted = ++sequence_;
}

HopQuarantine::HopQuarantine(size_t capacity, int64_t period_ms)
    : slots_(new Slot[round_pow2(capacity < kWays ? kWays : capacity)]),
      size_(round_pow2(capacity < kWays ? kWays : capacity)),
      period_ms_(period_ms) {}

uint64_t HopQuarantine::key_of(const HopTarget& t) {
  uint64_t h = fnv1a(reinterpret_cast<const char*>(t.endpoint.address.bytes.data()), 16);
  h = fnv1a(reinterpret_cast<const char*>(&t.endpoint.port), 2, h);
  h = fnv1a(reinterpret_cast<const char*>(&t.endpoint.address.family), 1, h);
  h ^= static_cast<uint64_t>(t.transport) + 1;
  h *= 1099511628211ULL;
  return h | 1;
}

size_t HopQuarantine::group_of(uint64_t key) const {
  return ((key >> 7) * kWays) & (size_ - 1) & ~(kWays - 1);
}

HopQuarantine::Slot* HopQuarantine::find(uint64_t key, size_t group) const {
  for (size_t i = 0; i < kWays; ++i) {
    Slot& s = slots_[group + i];
    if (s.key.load(std::memory_order_relaxed) == key) return &s;
  }
  return nullptr;
}

bool HopQuarantine::answered_recently(const Slot& s, int64_t now_ms) const {
  return s.answered_ms.load(std::memory_order_relaxed) > now_ms - period_ms_;
}

HopQuarantine::Slot* HopQuarantine::claim_for_failure(uint64_t key, size_t group, int64_t now_ms) {
  if (Slot* own = find(key, group)) return own;
  // The existing policy (expired, else ending soonest), with one step between: a slot
  // whose quarantine ended but whose hop answered recently still holds something useful
  // (it is what makes that hop need several ICMP errors), so it goes after the merely
  // expired ones and before any live quarantine.
  Slot* victim = nullptr;
  int64_t victim_cost = 0;
  for (size_t i = 0; i < kWays; ++i) {
    Slot& s = slots_[group + i];
    int64_t cost = s.until_ms.load(std::memory_order_relaxed);
    if (s.key.load(std::memory_order_relaxed) == 0)
      cost = INT64_MIN;
    else if (cost <= now_ms && answered_recently(s, now_ms))
      cost = now_ms;
    if (!victim || cost < victim_cost) {
      victim = &s;
      victim_cost = cost;
    }
  }
  take_over(*victim, key);
  return victim;
}

void HopQuarantine::take_over(Slot& s, uint64_t key) {
  // Not one atomic step: a reader racing it may see the old key with the reset times (one
  // quarantine looks lifted for that moment; see the class comment).
  s.until_ms.store(0, std::memory_order_relaxed);
  s.answered_ms.store(kNever, std::memory_order_relaxed);
  s.errors.store(0, std::memory_order_relaxed);
  s.key.store(key, std::memory_order_relaxed);
}

void HopQuarantine::quarantine(Slot& s, int64_t now_ms) {
  s.until_ms.store(now_ms + period_ms_, std::memory_order_relaxed);
  s.errors.store(0, std::memory_order_relaxed);
}

void HopQuarantine::mark_failed(const HopTarget& t, int64_t now_ms) {
  uint64_t key = key_of(t);
  quarantine(*claim_for_failure(key, group_of(key), now_ms), now_ms);
}

void HopQuarantine::mark_answered(const HopTarget& t, int64_t now_ms) {
  uint64_t key = key_of(t);
  size_t g = group_of(key);
  Slot* spare = nullptr;
  for (size_t i = 0; i < kWays; ++i) {
    Slot& s = slots_[g + i];
    uint64_t k = s.key.load(std::memory_order_relaxed);
    if (k == key) {
      if (now_ms - s.answered_ms.load(std::memory_order_relaxed) >= kAnsweredRefreshMs)
        s.answered_ms.store(now_ms, std::memory_order_relaxed);
      return;
    }
    if (spare) continue;
    // Only a slot that remembers nothing that still matters: no live quarantine, no recent
    // answer, no error window running. Messages from many sources (spoofed ones included)
    // therefore never evict a quarantine, and once the table is full of answering hops the
    // rest are not remembered (they fall back to "one ICMP error quarantines") instead of
    // rewriting slots on every message.
    if (k == 0) {
      spare = &s;
      continue;
    }
    uint64_t e = s.errors.load(std::memory_order_relaxed);
    bool window_open = (e & 0xff) != 0 && now_ms - static_cast<int64_t>(e >> 8) < kIcmpWindowMs;
    if (s.until_ms.load(std::memory_order_relaxed) <= now_ms && !answered_recently(s, now_ms) &&
        !window_open)
      spare = &s;
  }
  if (!spare) return;
  take_over(*spare, key);
  spare->answered_ms.store(now_ms, std::memory_order_relaxed);
}

bool HopQuarantine::report_icmp_error(const HopTarget& t, int64_t now_ms) {
  uint64_t key = key_of(t);
  size_t g = group_of(key);
  Slot* s = find(key, g);
  // Not heard from within the period (or never): nothing speaks against the error.
  if (!s || !answered_recently(*s, now_ms) ||
      s->until_ms.load(std::memory_order_relaxed) > now_ms) {
    if (!s) s = claim_for_failure(key, g, now_ms);
    quarantine(*s, now_ms);
    return true;
  }
  // An answering hop: count errors in a window that starts at the first one; an error
  // after the window starts a new count. A CAS, so racing workers do not lose counts (a
  // lost one would only need one more error).
  uint64_t old = s->errors.load(std::memory_order_relaxed);
  int count;
  uint64_t next;
  do {
    auto start = static_cast<int64_t>(old >> 8);
    count = static_cast<int>(old & 0xff);
    if (count == 0 || now_ms - start >= kIcmpWindowMs || now_ms < start) {
      start = now_ms;
      count = 0;
    }
    ++count;
    next = count >= kIcmpErrorsToQuarantine
               ? 0
               : (static_cast<uint64_t>(start) << 8) | static_cast<uint64_t>(count);
  } while (!s->errors.compare_exchange_weak(old, next, std::memory_order_relaxed));
  if (count < kIcmpErrorsToQuarantine) return false;
  quarantine(*s, now_ms);
  return true;
}

bool HopQuarantine::is_quarantined(const HopTarget& t, int64_t now_ms) const {
  uint64_t key = key_of(t);
  size_t g = group_of(key);
  for (size_t i = 0; i < kWays; ++i) {
    const Slot& s = slots_[g + i];
    if (s.key.load(std::memory_order_relaxed) == key &&
        s.until_ms.load(std::memory_order_relaxed) > now_ms)
      return true;
  }
  return false;
}

}  // namespace sipedge::router
