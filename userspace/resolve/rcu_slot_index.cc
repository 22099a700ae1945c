#include "resolve/rcu_slot_index.h"

#include <urcu-qsbr.h>

#include "resolve/rcu_thread.h"

namespace sipedge::resolve {

// Standard layout with `slots` first, so a Slots* published in slots_ converts back.
struct RcuSlotIndex::RetirableSlots {
  Slots slots;
  rcu_head rcu;

  static RetirableSlots* of(Slots* s) { return reinterpret_cast<RetirableSlots*>(s); }
};

namespace {

size_t slot_count_for(size_t capacity) {
  size_t n = 16;
  while (n < capacity * 2) n <<= 1;  // load factor at most 1/2 of live entries
  return n;
}

}  // namespace

RcuSlotIndex::RcuSlotIndex(size_t capacity) {
  auto* r = new RetirableSlots;
  const size_t n = slot_count_for(capacity);
  r->slots.mask = n - 1;
  r->slots.slot = new Slot[n];
  slots_.store(&r->slots, std::memory_order_release);
}

RcuSlotIndex::~RcuSlotIndex() {
  Slots* s = slots_.load(std::memory_order_relaxed);
  delete[] s->slot;
  delete RetirableSlots::of(s);
}

bool RcuSlotIndex::erase(uint64_t hash, const void* value) {
  Slots* s = slots_.load(std::memory_order_relaxed);
  size_t i = hash & s->mask;
  for (size_t probes = 0; probes <= s->mask; ++probes, i = (i + 1) & s->mask) {
    void* p = s->slot[i].ptr.load(std::memory_order_relaxed);
    if (p == nullptr) return false;
    if (p == value) {
      // A tombstone, not an empty slot: readers probing past it must keep going.
      s->slot[i].ptr.store(kTombstone, std::memory_order_release);
      --live_;
      ++tombstones_;
      return true;
    }
  }
  return false;
}

void RcuSlotIndex::place(Slot* slot, uint64_t hash, void* value) {
  if (slot->ptr.load(std::memory_order_relaxed) == kTombstone) --tombstones_;
  // The hash first, then the pointer with release: a reader that sees the pointer sees
  // its hash and the entry's contents.
  slot->hash.store(hash, std::memory_order_relaxed);
  slot->ptr.store(value, std::memory_order_release);
  ++live_;
  const Slots* s = slots_.load(std::memory_order_relaxed);
  if ((live_ + tombstones_) * 4 > (s->mask + 1) * 3) rebuild();
}

void RcuSlotIndex::rebuild() {
  // Copy the live slots into a fresh array (no tombstones), publish it, and free the old
  // one after a grace period: readers still probing it keep valid memory.
  Slots* old = slots_.load(std::memory_order_relaxed);
  auto* fresh_block = new RetirableSlots;
  Slots* fresh = &fresh_block->slots;
  fresh->mask = old->mask;
  fresh->slot = new Slot[old->mask + 1];
  for (size_t i = 0; i <= old->mask; ++i) {
    void* p = old->slot[i].ptr.load(std::memory_order_relaxed);
    if (p == nullptr || p == kTombstone) continue;
    const uint64_t h = old->slot[i].hash.load(std::memory_order_relaxed);
    size_t j = h & fresh->mask;
    while (fresh->slot[j].ptr.load(std::memory_order_relaxed) != nullptr) j = (j + 1) & fresh->mask;
    fresh->slot[j].hash.store(h, std::memory_order_relaxed);
    fresh->slot[j].ptr.store(p, std::memory_order_relaxed);
  }
  tombstones_ = 0;
  slots_.store(fresh, std::memory_order_release);
  RetirableSlots* old_block = RetirableSlots::of(old);
  rcu_internal::annotate_release(old_block);
  call_rcu(&old_block->rcu, [](rcu_head* head) {
    auto* r = caa_container_of(head, RetirableSlots, rcu);
    rcu_internal::annotate_acquire(&rcu_internal::kQuiescentToken);
    rcu_internal::annotate_acquire(r);
    delete[] r->slots.slot;
    delete r;
  });
}

}  // namespace sipedge::resolve
