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
// Memory safety comes from the caller's RCU: pointers stored here are freed only after a
// grace period (DnsCache uses liburcu QSBR call_rcu), and so is a slot array replaced by
// rebuild(). A reader may see an entry that was just replaced or removed (still valid
// memory, its old value) and may miss an entry being moved by a concurrent rebuild; both
// are ordinary cache outcomes (stale-by-microseconds or a miss), never a dangling pointer.
#pragma once

#include <atomic>
#include <cstddef>
#include <cstdint>

namespace sipedge::resolve {

class RcuSlotIndex {
 public:
  // `capacity` live entries at most; the table keeps its load at or below one half.
  explicit RcuSlotIndex(size_t capacity);
  // No concurrent readers or writers; does not free the stored pointers.
  ~RcuSlotIndex();
  RcuSlotIndex(const RcuSlotIndex&) = delete;
  RcuSlotIndex& operator=(const RcuSlotIndex&) = delete;

  // Reader: the pointer stored under `hash` for which `match(ptr)` is true, or nullptr.
  // Lock-free; the result stays valid until the caller's next RCU quiescent state.
  template <typename Match>
  const void* find(uint64_t hash, Match&& match) const {
    const Slots* s = slots_.load(std::memory_order_acquire);
    size_t i = hash & s->mask;
    for (size_t probes = 0; probes <= s->mask; ++probes, i = (i + 1) & s->mask) {
      void* p = s->slot[i].ptr.load(std::memory_order_acquire);
      if (p == nullptr) return nullptr;  // never-used slot: end of the probe sequence
      if (p != kTombstone && s->slot[i].hash.load(std::memory_order_relaxed) == hash && match(p)) {
        return p;
      }
    }
    return nullptr;
  }

  // Writer: stores `value` under `hash`, replacing the pointer for which `match` is true
  // (returned, for the caller to retire after a grace period), or adding it (nullptr).
  template <typename Match>
  void* upsert(uint64_t hash, void* value, Match&& match) {
    Slots* s = slots_.load(std::memory_order_relaxed);
    size_t i = hash & s->mask;
    Slot* reuse = nullptr;
    for (size_t probes = 0; probes <= s->mask; ++probes, i = (i + 1) & s->mask) {
      void* p = s->slot[i].ptr.load(std::memory_order_relaxed);
      if (p == nullptr) break;
      if (p == kTombstone) {
        if (reuse == nullptr) reuse = &s->slot[i];
        continue;
      }
      if (s->slot[i].hash.load(std::memory_order_relaxed) == hash && match(p)) {
        s->slot[i].ptr.store(value, std::memory_order_release);
        return p;
      }
    }
    if (reuse == nullptr) {
      if (s->slot[i].ptr.load(std::memory_order_relaxed) != nullptr) {
        // No free slot on the whole ring: cannot happen while place() keeps the load at or
        // below 3/4, but never overwrite a live slot.
        rebuild();
        return upsert(hash, value, match);
      }
      reuse = &s->slot[i];
    }
    place(reuse, hash, value);
    return nullptr;
  }

  // Writer: removes exactly `value` (stored under `hash`); false if it is not there.
  bool erase(uint64_t hash, const void* value);

  // Writer: number of live entries.
  size_t size() const { return live_; }

 private:
  struct Slot {
    std::atomic<uint64_t> hash{0};
    std::atomic<void*> ptr{nullptr};
  };
  struct Slots {
    size_t mask;
    Slot* slot;  // mask + 1 slots
  };
  struct RetirableSlots;  // Slots plus what RCU reclamation needs (rcu_slot_index.cc)
  static inline void* const kTombstone = reinterpret_cast<void*>(uintptr_t{1});

  // Fills an empty or tombstone slot; rebuilds when tombstones make probes long.
  void place(Slot* slot, uint64_t hash, void* value);
  void rebuild();

  std::atomic<Slots*> slots_;
  size_t live_ = 0;
  size_t tombstones_ = 0;
};

}  // namespace sipedge::resolve
