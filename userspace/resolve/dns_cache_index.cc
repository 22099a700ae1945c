#include "resolve/dns_cache_index.h"

#include <algorithm>
#include <new>
#include <type_traits>

namespace sipedge::resolve {

namespace {

size_t slot_count_for(size_t capacity) {
  size_t n = 16;
  while (n < capacity * 2) n <<= 1;  // load factor at most 1/2 of live entries
  return n;
}

}  // namespace

SlotAddresses SlotAddresses::of(RrType type, std::span<const IpAddress> addresses) {
  SlotAddresses out;
  if (addresses.empty()) {
    out.count = 0;
    return out;
  }
  const uint8_t family = type == RrType::kA ? 4 : type == RrType::kAaaa ? 6 : 0;
  const size_t width = family == 4 ? 4 : 16;
  if (family == 0 || addresses.size() > kMax || addresses.size() * width > out.bytes.size()) {
    return out;
  }
  for (size_t i = 0; i < addresses.size(); ++i) {
    if (addresses[i].family != family) return out;
    std::memcpy(out.bytes.data() + i * width, addresses[i].bytes.data(), width);
  }
  out.count = static_cast<uint8_t>(addresses.size());
  return out;
}

DnsCacheIndex::DnsCacheIndex(size_t capacity)
    : mask_(slot_count_for(capacity) - 1), memory_((mask_ + 1) * sizeof(Slot)) {
  // The mapping is zero-filled, which is every slot's empty state; the slots are still
  // constructed, so that they are objects.
  slot_ = static_cast<Slot*>(memory_.data());
  for (size_t i = 0; i <= mask_; ++i) new (&slot_[i]) Slot;
}

DnsCacheIndex::~DnsCacheIndex() {
  static_assert(std::is_trivially_destructible_v<Slot>);  // memory_ unmaps them
}

void DnsCacheIndex::write(Slot& s, const SlotRecord& r) {
  const uint32_t seq = s.seq.load(std::memory_order_relaxed);
  s.seq.store(seq + 1, std::memory_order_relaxed);
  s.type.store(static_cast<uint8_t>(r.type), std::memory_order_release);
  s.name_len.store(static_cast<uint8_t>(r.name.size()), std::memory_order_release);
  s.address_count.store(r.addresses.count, std::memory_order_release);
  s.hash.store(r.hash, std::memory_order_release);
  s.expires_at_ms.store(r.expires_at_ms, std::memory_order_release);
  s.entry.store(r.entry, std::memory_order_release);
  for (size_t k = 0; k < s.addresses.size(); ++k) {
    uint64_t v;
    std::memcpy(&v, r.addresses.bytes.data() + 8 * k, 8);
    s.addresses[k].store(v, std::memory_order_release);
  }
  const NameWords words(r.name);
  for (size_t k = 0; k < s.name.size(); ++k) s.name[k].store(words.w[k], std::memory_order_release);
  s.seq.store(seq + 2, std::memory_order_release);
}

void DnsCacheIndex::copy(Slot& to, const Slot& from) {
  const uint32_t seq = to.seq.load(std::memory_order_relaxed);
  to.seq.store(seq + 1, std::memory_order_relaxed);
  auto mv = [](auto& dst, const auto& src) {
    dst.store(src.load(std::memory_order_relaxed), std::memory_order_release);
  };
  mv(to.type, from.type);
  mv(to.name_len, from.name_len);
  mv(to.address_count, from.address_count);
  mv(to.referenced, from.referenced);
  mv(to.hash, from.hash);
  mv(to.expires_at_ms, from.expires_at_ms);
  mv(to.entry, from.entry);
  for (size_t k = 0; k < to.addresses.size(); ++k) mv(to.addresses[k], from.addresses[k]);
  for (size_t k = 0; k < to.name.size(); ++k) mv(to.name[k], from.name[k]);
  to.seq.store(seq + 2, std::memory_order_release);
}

void DnsCacheIndex::set_entry(Slot& s, const void* entry) {
  const uint32_t seq = s.seq.load(std::memory_order_relaxed);
  s.seq.store(seq + 1, std::memory_order_relaxed);
  s.entry.store(entry, std::memory_order_release);
  if (entry == nullptr) s.referenced.store(0, std::memory_order_release);
  s.seq.store(seq + 2, std::memory_order_release);
}

size_t DnsCacheIndex::slot_of(uint64_t hash, const void* entry) const {
  size_t i = hash & mask_;
  for (size_t probes = 0; probes <= mask_; ++probes, i = (i + 1) & mask_) {
    const void* p = slot_[i].entry.load(std::memory_order_relaxed);
    if (p == nullptr) break;
    if (p == entry) return i;
  }
  return slot_count();
}

bool DnsCacheIndex::publish(const SlotRecord& record, const void* old_entry) {
  if (old_entry != nullptr) {
    const size_t i = slot_of(record.hash, old_entry);
    if (i == slot_count()) return false;
    write(slot_[i], record);
    return true;
  }
  size_t i = record.hash & mask_;
  for (size_t probes = 0; probes <= mask_; ++probes, i = (i + 1) & mask_) {
    if (slot_[i].entry.load(std::memory_order_relaxed) == nullptr) {
      slot_[i].referenced.store(0, std::memory_order_relaxed);
      write(slot_[i], record);
      ++live_;
      return true;
    }
  }
  return false;
}

std::atomic<uint8_t>* DnsCacheIndex::referenced(uint64_t hash, const void* entry) {
  const size_t i = slot_of(hash, entry);
  return i == slot_count() ? nullptr : &slot_[i].referenced;
}

bool DnsCacheIndex::erase(uint64_t hash, const void* entry) {
  size_t hole = slot_of(hash, entry);
  if (hole == slot_count()) return false;
  --live_;
  // Backward shift: walk the rest of the cluster and move back every entry whose home slot
  // does not lie cyclically in (hole, j]; the slot it leaves becomes the new hole. The hole
  // holds kMoving meanwhile (readers skip it); only the final hole becomes empty, and
  // every entry still after it has its home after it, so no probe needs to cross it.
  set_entry(slot_[hole], kMoving);
  for (size_t j = (hole + 1) & mask_;; j = (j + 1) & mask_) {
    const void* p = slot_[j].entry.load(std::memory_order_relaxed);
    if (p == nullptr) break;
    const uint64_t h = slot_[j].hash.load(std::memory_order_relaxed);
    const size_t home = h & mask_;
    const size_t dist_home = (j - home) & mask_;  // how far j is past its home
    const size_t dist_hole = (j - hole) & mask_;  // how far j is past the hole
    if (dist_home < dist_hole) continue;          // home lies in (hole, j]: stays
    copy(slot_[hole], slot_[j]);
    set_entry(slot_[j], kMoving);
    hole = j;
  }
  set_entry(slot_[hole], nullptr);
  return true;
}

}  // namespace sipedge::resolve
