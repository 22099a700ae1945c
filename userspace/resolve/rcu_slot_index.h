// A fixed-capacity open-addressing hash index that readers search without a lock, a
// read-modify-write or an allocation: slots hold (hash, pointer) pairs that only one
// writer at a time changes (the caller serialises writers), with release stores that
// readers pair with acquire loads.
//
// Why not liburcu's cds_lfht: its lookup walks a split-ordered list through a separate
// bucket node and calls the match function indirectly; measured here it was no faster than
// a std::shared_mutex map on one thread. This index costs one slot load (16-byte slots,
// four per cache line) and the entry itself.
//
// Deletion shifts the rest of the probe cluster back (Knuth's algorithm R) instead of
// leaving a tombstone, so the table never needs an O(slots) rebuild: a writer's erase costs
// the cluster length (short at load <= 1/2). While a cluster is being shifted, the vacated
// slots hold a transient "moving" marker that readers skip, so a reader never stops early
// inside the cluster; it may miss the one entry that is in flight between two slots.
//
// Memory safety comes from the caller's RCU: pointers stored here are freed only after a
// grace period (DnsCache uses liburcu QSBR call_rcu). A reader may see an entry that was
// just replaced or removed (still valid memory, its old value) and may miss an entry being
// moved by a concurrent erase; both are ordinary cache outcomes (stale-by-microseconds or a
// miss), never a dangling pointer.
#pragma once

#include <atomic>
#include <cstddef>
#include <cstdint>

namespace sipedge::resolve {

class RcuSlotIndex {
 public:
  // `capacity` live entries at most (callers bound their size); the table has at least
  // twice as many slots, so its load stays at or below one half.
  explicit RcuSlotIndex(size_t capacity);
  // No concurrent readers or writers; does not free the stored pointers.
  ~RcuSlotIndex();
  RcuSlotIndex(const RcuSlotIndex&) = delete;
  RcuSlotIndex& operator=(const RcuSlotIndex&) = delete;

  // Reader: the pointer stored under `hash` for which `match(ptr)` is true, or nullptr.
  // Lock-free; the result stays valid until the caller's next RCU quiescent state.
  template <typename Match>
  const void* find(uint64_t hash, Match&& match) const {
    const size_t mask = mask_;
    const Slot* slot = slot_;
    size_t i = hash & mask;
    for (size_t probes = 0; probes <= mask; ++probes, i = (i + 1) & mask) {
      void* p = slot[i].ptr.load(std::memory_order_acquire);
      if (p == nullptr) return nullptr;  // empty slot: end of the probe cluster
      if (p != kMoving && slot[i].hash.load(std::memory_order_relaxed) == hash && match(p)) {
        return p;
      }
    }
    return nullptr;
  }

  // Writer: stores `value` under `hash`, replacing the pointer for which `match` is true
  // (returned, for the caller to retire after a grace period), or adding it (nullptr).
  // Adding beyond `capacity` entries is the caller's bug; it fails (returns `value`) when
  // the table is full rather than overwrite a live slot.
  template <typename Match>
  void* upsert(uint64_t hash, void* value, Match&& match) {
    size_t i = hash & mask_;
    for (size_t probes = 0; probes <= mask_; ++probes, i = (i + 1) & mask_) {
      void* p = slot_[i].ptr.load(std::memory_order_relaxed);
      if (p == nullptr) {
        // The hash first, then the pointer with release: a reader that sees the pointer
        // sees its hash and the entry's contents.
        slot_[i].hash.store(hash, std::memory_order_relaxed);
        slot_[i].ptr.store(value, std::memory_order_release);
        ++live_;
        return nullptr;
      }
      if (slot_[i].hash.load(std::memory_order_relaxed) == hash && match(p)) {
        slot_[i].ptr.store(value, std::memory_order_release);
        return p;
      }
    }
    return value;
  }

  // Writer: removes exactly `value` (stored under `hash`); false if it is not there.
  bool erase(uint64_t hash, const void* value);

  // Writer: number of live entries.
  size_t size() const { return live_; }
  // Number of slots (memory: 16 bytes each).
  size_t slot_count() const { return mask_ + 1; }

 private:
  struct Slot {
    std::atomic<uint64_t> hash{0};
    std::atomic<void*> ptr{nullptr};
  };
  static inline void* const kMoving = reinterpret_cast<void*>(uintptr_t{1});

  // What every reader loads, alone on its cache line; the writer never stores to it.
  alignas(64) size_t mask_;
  Slot* slot_;  // mask_ + 1 slots, fixed for the index's lifetime
  // Writer-only bookkeeping on a line of its own.
  alignas(64) size_t live_ = 0;
};

}  // namespace sipedge::resolve
