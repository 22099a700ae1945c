#include "resolve/ready_targets.h"

#include <algorithm>
#include <cstring>

namespace sipedge::resolve {

namespace {

uint64_t key_hash(const char* p, size_t n) {
  uint64_t h = (uint64_t{n} + 1) * 0x9e3779b97f4a7c15ULL;
  for (; n >= 8; p += 8, n -= 8) {
    uint64_t w;
    std::memcpy(&w, p, 8);
    h = (h ^ w) * 0xbf58476d1ce4e5b9ULL;
  }
  uint64_t tail = 0;
  for (size_t i = 0; i < n; ++i) tail |= uint64_t{static_cast<unsigned char>(p[i])} << (8 * i);
  h = (h ^ tail ^ (h >> 32)) * 0x94d049bb133111ebULL;
  h ^= h >> 29;
  return h == 0 ? 1 : h;  // 0 marks an empty slot
}

// Appends a length-prefixed field; false when it does not fit.
bool put_field(ReadyTargetCache::Key* k, std::optional<std::string_view> v) {
  if (!v) {
    if (size_t{k->len} + 1 > ReadyTargetCache::kMaxKey) return false;
    k->bytes[k->len++] = '\xff';  // absent differs from empty
    return true;
  }
  if (v->size() > 250 || size_t{k->len} + 1 + v->size() > ReadyTargetCache::kMaxKey) return false;
  k->bytes[k->len++] = static_cast<char>(v->size());
  std::memcpy(k->bytes.data() + k->len, v->data(), v->size());
  k->len = static_cast<uint16_t>(k->len + v->size());
  return true;
}

}  // namespace

ResolveRequestView ResolveRequestView::of(const ResolveRequest& r) {
  ResolveRequestView v;
  v.sips = r.sips;
  v.host = r.host;
  v.host_kind = r.host_kind;
  v.port = r.port;
  if (r.transport) v.transport = std::string_view(*r.transport);
  if (r.maddr) v.maddr = std::string_view(*r.maddr);
  return v;
}

bool ReadyTargetCache::make_key(const ResolveRequestView& r, Key* k) {
  k->len = 0;
  k->bytes[k->len++] = static_cast<char>((r.sips ? 1 : 0) | static_cast<int>(r.host_kind) << 1 |
                                         (r.port ? 1 : 0) << 3);
  const uint16_t port = r.port.value_or(0);
  k->bytes[k->len++] = static_cast<char>(port >> 8);
  k->bytes[k->len++] = static_cast<char>(port & 0xff);
  if (!put_field(k, r.transport) || !put_field(k, r.maddr)) return false;
  std::string_view host = r.host;
  const bool name = r.host_kind == HostKind::kName;
  // As normalize_dns_name: one trailing dot dropped, ASCII lower-cased.
  if (name && host.size() > 1 && host.back() == '.') host.remove_suffix(1);
  if (host.size() > ReadyTargets::kMaxIdentity || size_t{k->len} + host.size() > kMaxKey)
    return false;
  k->host_offset = k->len;
  char* out = k->bytes.data() + k->len;
  for (char c : host) *out++ = name && c >= 'A' && c <= 'Z' ? static_cast<char>(c - 'A' + 'a') : c;
  k->len = static_cast<uint16_t>(k->len + host.size());
  k->hash = key_hash(k->bytes.data(), k->len);
  return true;
}

ReadyTargetCache::ReadyTargetCache(size_t capacity) : capacity_(capacity) {
  if (capacity_ == 0) return;
  // Twice the slots (load at most 1/2), so keys that share a probe window rarely push
  // each other out.
  size_t n = kProbe;
  while (n < capacity_ * 2) n <<= 1;
  capacity_ = n;
  mask_ = n - 1;
}

ReadyTargetCache::~ReadyTargetCache() = default;

bool ReadyTargetCache::find(const Key& key, int64_t now_ms, ReadyTargets* out) {
  if (!hashes_) {
    ++misses_;
    return false;
  }
  const size_t home = key.hash & mask_;
  for (size_t i = 0; i < kProbe; ++i) {
    const size_t slot = (home + i) & mask_;
    if (hashes_[slot] != key.hash) continue;
    Entry& e = entries_[slot];
    if (e.key.len != key.len || std::memcmp(e.key.bytes.data(), key.bytes.data(), key.len) != 0)
      continue;
    if (now_ms >= e.expires_ms) break;
    if (e.uses < 255) ++e.uses;
    std::copy_n(e.targets.begin(), e.count, out->targets.begin());
    out->count = e.count;
    out->ttl_left_s = static_cast<uint32_t>((e.expires_ms - now_ms) / 1000);
    const std::string_view host = e.key.host();
    std::memcpy(out->identity.data(), host.data(), host.size());
    out->identity_len = static_cast<uint8_t>(host.size());
    ++hits_;
    return true;
  }
  ++misses_;
  return false;
}

void ReadyTargetCache::insert(const Key& key, std::span<const Target> targets, int64_t expires_ms,
                              int64_t now_ms) {
  if (capacity_ == 0 || targets.empty() || targets.size() > ReadyTargets::kMaxTargets ||
      expires_ms <= now_ms) {
    return;
  }
  if (!hashes_) {
    hashes_ = std::make_unique<uint64_t[]>(capacity_);  // zeroed: every slot empty
    entries_ = std::make_unique<Entry[]>(capacity_);
  }
  // The slot: this key's own, else an empty or expired one, else the least used one of
  // the window (the window's counts halve, so what is no longer used loses its standing).
  const size_t home = key.hash & mask_;
  size_t victim = SIZE_MAX;
  size_t least = SIZE_MAX;
  for (size_t i = 0; i < kProbe; ++i) {
    const size_t slot = (home + i) & mask_;
    Entry& e = entries_[slot];
    if (hashes_[slot] == key.hash && e.key.len == key.len &&
        std::memcmp(e.key.bytes.data(), key.bytes.data(), key.len) == 0) {
      victim = slot;
      break;
    }
    if (victim == SIZE_MAX && (hashes_[slot] == 0 || e.expires_ms <= now_ms)) victim = slot;
    if (least == SIZE_MAX || e.uses < entries_[least].uses) least = slot;
  }
  if (victim == SIZE_MAX) {
    victim = least;
    for (size_t i = 0; i < kProbe; ++i) entries_[(home + i) & mask_].uses /= 2;
  }
  if (hashes_[victim] == 0) ++used_;
  Entry& e = entries_[victim];
  e.key = key;
  e.expires_ms = expires_ms;
  e.uses = 0;
  e.count = static_cast<uint8_t>(targets.size());
  for (size_t i = 0; i < targets.size(); ++i) {
    e.targets[i] = ReadyTarget{targets[i].transport, targets[i].port, targets[i].address};
  }
  hashes_[victim] = key.hash;
}

}  // namespace sipedge::resolve
