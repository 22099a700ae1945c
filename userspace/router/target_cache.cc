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

void HopQuarantine::mark_failed(const HopTarget& t, int64_t now_ms) {
  uint64_t key = key_of(t);
  size_t g = group_of(key);
  Slot* victim = &slots_[g];
  for (size_t i = 0; i < kWays; ++i) {
    Slot& s = slots_[g + i];
    if (s.key.load(std::memory_order_relaxed) == key) {
      victim = &s;
      break;
    }
    // Expired or ending soonest.
    if (s.until_ms.load(std::memory_order_relaxed) <
        victim->until_ms.load(std::memory_order_relaxed))
      victim = &s;
  }
  victim->key.store(key, std::memory_order_relaxed);
  victim->until_ms.store(now_ms + period_ms_, std::memory_order_relaxed);
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
