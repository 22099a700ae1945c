#include "resolve/rcu_slot_index.h"

namespace sipedge::resolve {

namespace {

size_t slot_count_for(size_t capacity) {
  size_t n = 16;
  while (n < capacity * 2) n <<= 1;  // load factor at most 1/2 of live entries
  return n;
}

}  // namespace

RcuSlotIndex::RcuSlotIndex(size_t capacity) {
  const size_t n = slot_count_for(capacity);
  mask_ = n - 1;
  slot_ = new Slot[n];
}

RcuSlotIndex::~RcuSlotIndex() { delete[] slot_; }

bool RcuSlotIndex::erase(uint64_t hash, const void* value) {
  size_t hole = hash & mask_;
  for (size_t probes = 0;; ++probes, hole = (hole + 1) & mask_) {
    if (probes > mask_) return false;
    void* p = slot_[hole].ptr.load(std::memory_order_relaxed);
    if (p == nullptr) return false;
    if (p == value) break;
  }
  --live_;
  // Backward shift: walk the rest of the cluster and move back every entry whose home slot
  // does not lie cyclically in (hole, j]; the slot it leaves becomes the new hole. The hole
  // holds kMoving meanwhile (readers skip it); only the final hole becomes empty, and
  // every entry still after it has its home after it, so no probe needs to cross it.
  slot_[hole].ptr.store(kMoving, std::memory_order_release);
  for (size_t j = (hole + 1) & mask_;; j = (j + 1) & mask_) {
    void* p = slot_[j].ptr.load(std::memory_order_relaxed);
    if (p == nullptr) break;
    const uint64_t h = slot_[j].hash.load(std::memory_order_relaxed);
    const size_t home = h & mask_;
    const size_t dist_home = (j - home) & mask_;  // how far j is past its home
    const size_t dist_hole = (j - hole) & mask_;  // how far j is past the hole
    if (dist_home < dist_hole) continue;          // home lies in (hole, j]: stays
    slot_[hole].hash.store(h, std::memory_order_relaxed);
    slot_[hole].ptr.store(p, std::memory_order_release);
    slot_[j].ptr.store(kMoving, std::memory_order_release);
    hole = j;
  }
  slot_[hole].ptr.store(nullptr, std::memory_order_release);
  return true;
}

}  // namespace sipedge::resolve
