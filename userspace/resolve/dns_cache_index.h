// The DnsCache's index: a fixed-capacity open-addressing table whose 128-byte slots hold the
// part of an entry a hit reads (key, expiry, a small address set) beside the pointer to the
// whole entry, so a hit costs one dependent cache miss (the slot) instead of two (slot, then
// entry). Readers never lock, allocate or make a read-modify-write: each slot is a seqlock
// (the writer makes its sequence odd, rewrites the slot, makes it even again; a reader copies
// what it needs and keeps the copy only when the sequence was even and unchanged around it).
// The slot's fields are stored with release and loaded with acquire instead of fences around
// relaxed accesses (Boehm, "Can seqlocks get along with programming language memory
// models?", 2012): the same plain moves on x86, and ThreadSanitizer can check it.
//
// Why not liburcu's cds_lfht: its lookup walks a split-ordered list through a separate
// bucket node and calls the match function indirectly; measured here it was no faster than
// a std::shared_mutex map on one thread.
//
// One writer at a time (the caller serialises writers). Deletion shifts the rest of the probe
// cluster back (Knuth's algorithm R) instead of leaving a tombstone, so the table never needs
// an O(slots) rebuild. While a cluster is being shifted the vacated slots hold a transient
// "moving" marker that readers skip, so a reader never stops early inside the cluster; it may
// miss the one entry in flight between two slots, or an entry whose slot is being rewritten
// when its retries run out: both are ordinary cache misses, never a wrong answer.
//
// The entry pointers stored here are freed by the caller after an RCU grace period (DnsCache
// uses liburcu QSBR call_rcu), so a pointer a reader copied stays valid until its next
// quiescent state. The slot array lives on transparent huge pages where the kernel grants
// them (madvise): at 256 bytes of slots per entry a large cache spans far more 4 KiB pages
// than the TLB maps.
#pragma once

#include <algorithm>
#include <array>
#include <atomic>
#include <bit>
#include <cstddef>
#include <cstdint>
#include <cstring>
#include <span>
#include <string_view>

#include "resolve/dns_records.h"
#include "resolve/huge_page_memory.h"

namespace sipedge::resolve {

// Bytes [offset, len) of `p` (at most 8) as memcpy would put them in a zeroed word, without
// reading outside [0, len): on a little-endian core, one load of the last 8 bytes shifted
// down instead of a loop of up to 7 byte loads (the tail of every name a hit hashes and
// compares).
inline uint64_t tail_word(const char* p, size_t len, size_t offset) {
  const size_t r = len - offset;
  if (r == 0) return 0;
  if constexpr (std::endian::native == std::endian::little) {
    if (len >= 8) {
      uint64_t w;
      std::memcpy(&w, p + len - 8, 8);
      return w >> (64 - 8 * r);
    }
  }
  uint64_t w = 0;
  std::memcpy(&w, p + offset, r);
  return w;
}

// An address set small enough to live in a slot: up to 4 IPv4 or 2 IPv6 addresses.
struct SlotAddresses {
  static constexpr size_t kMax = 4;
  static constexpr uint8_t kNotInline = 0xff;
  uint8_t count = kNotInline;       // kNotInline: the set did not fit (read the entry's answer)
  std::array<uint8_t, 32> bytes{};  // `count` addresses of 4 (A) or 16 (AAAA) bytes

  // The inline form of `addresses` asked as `type`, or count == kNotInline when it does not
  // fit (more than 4 IPv4 / 2 IPv6, or a family other than the type's).
  static SlotAddresses of(RrType type, std::span<const IpAddress> addresses);
  // Address `i` of a set in this layout (`bytes` as 8-byte words, as a slot holds them), of
  // `family` (4 for A, 6 for AAAA). Constant-size copies: plain moves on the hit path.
  static IpAddress at(const uint64_t* words, uint8_t family, size_t i) {
    IpAddress out;
    out.family = family;
    const char* b = reinterpret_cast<const char*>(words);
    if (family == 4) {
      std::memcpy(out.bytes.data(), b + 4 * i, 4);
    } else {
      std::memcpy(out.bytes.data(), b + 16 * i, 16);
    }
    return out;
  }
};

// What a reader copies out of a matching slot: scalars only, so that the inlined lookup
// keeps them in registers. (An array here was copied through the stack and reloaded with
// wider loads than it was stored with, which the core cannot forward from its store
// buffer: a stall of tens of cycles per hit.) The addresses are SlotAddresses::bytes' four
// words.
struct SlotHit {
  const void* entry = nullptr;  // nullptr: no match
  int64_t expires_at_ms = 0;
  uint8_t address_count = SlotAddresses::kNotInline;
  uint64_t address0 = 0, address1 = 0, address2 = 0, address3 = 0;
};

// What the writer publishes for one entry.
struct SlotRecord {
  uint64_t hash = 0;
  RrType type = RrType::kA;
  std::string_view name;  // normalised; only its first kInlineName bytes are copied
  int64_t expires_at_ms = 0;
  const void* entry = nullptr;
  SlotAddresses addresses;
};

class DnsCacheIndex {
 public:
  // Bytes of the name a slot holds; a longer name's rest is compared in the entry.
  static constexpr size_t kInlineName = 64;
  // Bytes of one slot: what a hit reads.
  static constexpr size_t kSlotBytes = 128;

  // `capacity` live entries at most (callers bound their size); the table has at least
  // twice as many slots (a power of two), so its load stays at or below one half.
  explicit DnsCacheIndex(size_t capacity);
  // No concurrent readers or writers; does not free the stored entries.
  ~DnsCacheIndex();
  DnsCacheIndex(const DnsCacheIndex&) = delete;
  DnsCacheIndex& operator=(const DnsCacheIndex&) = delete;

  // Reader: the slot for (name, type) under `hash`, copied consistently, with entry ==
  // nullptr when there is none. `rest_matches(entry, tail)` compares the part of a name
  // longer than kInlineName with the entry's copy. Sets the slot's referenced mark (a plain
  // store, only when it is clear) unless told not to (the writer's own lookups). Lock-free;
  // the entry stays valid until the caller's next RCU quiescent state.
  template <typename RestMatches>
  [[gnu::always_inline]] SlotHit find(uint64_t hash, std::string_view name, RrType type,
                                      RestMatches&& rest_matches,
                                      bool mark_referenced = true) const;

  // Writer: publishes `record`, in the slot of `old_entry` (same key, replaced in place so
  // readers see the old entry or the new, never a miss; the referenced mark stays) or,
  // when `old_entry` is nullptr, in a free slot. False when the table is full or
  // `old_entry` is not there (the caller's bug; nothing is overwritten).
  bool publish(const SlotRecord& record, const void* old_entry);
  // Writer: removes the slot of `entry` (stored under `hash`); false if it is not there.
  bool erase(uint64_t hash, const void* entry);
  // Writer: the referenced mark of `entry`'s slot (S3-FIFO), nullptr when it is not there.
  std::atomic<uint8_t>* referenced(uint64_t hash, const void* entry);

  // Writer: number of live entries.
  size_t size() const { return live_; }
  // Number of slots.
  size_t slot_count() const { return mask_ + 1; }
  // Bytes of the slot array (fixed for the index's lifetime).
  size_t slot_bytes() const { return slot_count() * sizeof(Slot); }

 private:
  // Every field is an atomic so that a reader copying a slot while the writer rewrites it is
  // a race the seqlock resolves, not undefined behaviour.
  struct alignas(128) Slot {
    std::atomic<uint32_t> seq{0};      // odd while the writer rewrites this slot
    std::atomic<uint8_t> type{0};      // RrType (every type the cache holds is < 256)
    std::atomic<uint8_t> name_len{0};  // the whole name's length (<= 255)
    std::atomic<uint8_t> address_count{SlotAddresses::kNotInline};
    mutable std::atomic<uint8_t> referenced{0};  // set by readers, outside the seqlock
    std::atomic<uint64_t> hash{0};
    std::atomic<int64_t> expires_at_ms{0};
    std::atomic<const void*> entry{nullptr};  // nullptr: empty (ends a probe); kMoving: skip
    std::array<std::atomic<uint64_t>, 4> addresses{};
    std::array<std::atomic<uint64_t>, kInlineName / 8> name{};
  };
  static_assert(sizeof(Slot) == kSlotBytes);
  static inline const void* const kMoving = reinterpret_cast<const void*>(uintptr_t{1});

  // The name's first kInlineName bytes as the slot holds them: 8-byte words, zero-padded.
  struct NameWords {
    std::array<uint64_t, kInlineName / 8> w{};
    explicit NameWords(std::string_view name) {
      std::memcpy(w.data(), name.data(), std::min(name.size(), kInlineName));
    }
  };
  // True when the slot's name words are the first kInlineName bytes of `name`, read
  // straight from the caller's bytes (no padded copy on the hot path).
  static bool same_inline_name(const Slot& s, std::string_view name) {
    const size_t n = std::min(name.size(), kInlineName);
    const char* p = name.data();
    size_t k = 0;
    bool same = true;
    for (; 8 * k + 8 <= n; ++k) {
      uint64_t w;
      std::memcpy(&w, p + 8 * k, 8);
      same &= s.name[k].load(std::memory_order_acquire) == w;
    }
    if (8 * k < n) same &= s.name[k].load(std::memory_order_acquire) == tail_word(p, n, 8 * k);
    return same;
  }

  // Writer: copies `record` (or another slot) into slot `s` under its seqlock.
  static void write(Slot& s, const SlotRecord& record);
  static void copy(Slot& to, const Slot& from);
  static void set_entry(Slot& s, const void* entry);
  size_t slot_of(uint64_t hash, const void* entry) const;  // slot_count() when absent

  // What every reader loads, alone on its cache line; the writer never stores to it.
  alignas(64) size_t mask_;
  Slot* slot_;  // mask_ + 1 slots in memory_, fixed for the index's lifetime
  HugePageMemory memory_;
  // Writer-only bookkeeping on a line of its own.
  alignas(64) size_t live_ = 0;
};

template <typename RestMatches>
inline SlotHit DnsCacheIndex::find(uint64_t hash, std::string_view name, RrType type,
                                   RestMatches&& rest_matches, bool mark_referenced) const {
  const uint8_t type_code = static_cast<uint8_t>(type);
  const size_t mask = mask_;
  const Slot* slot = slot_;
  size_t i = hash & mask;
  for (size_t probes = 0; probes <= mask; ++probes, i = (i + 1) & mask) {
    const Slot& s = slot[i];
    // A slot being rewritten is read again, a few times; then it is passed over (a miss
    // for its key at worst), so a reader never waits on the writer.
    for (int attempt = 0; attempt < 4; ++attempt) {
      const uint32_t seq = s.seq.load(std::memory_order_acquire);
      if (seq & 1) continue;
      const void* entry = s.entry.load(std::memory_order_acquire);
      if (entry == nullptr) {
        // An empty slot ends the probe cluster; only an insert in progress (seq moved)
        // could have filled it, and that key is a miss until it is published anyway.
        return {};
      }
      if (entry == kMoving || s.hash.load(std::memory_order_acquire) != hash ||
          s.type.load(std::memory_order_acquire) != type_code ||
          s.name_len.load(std::memory_order_acquire) != name.size()) {
        break;  // another key (or in flight): the next slot
      }
      if (!same_inline_name(s, name)) break;
      const int64_t expires_at_ms = s.expires_at_ms.load(std::memory_order_acquire);
      const uint8_t address_count = s.address_count.load(std::memory_order_acquire);
      const uint64_t a0 = s.addresses[0].load(std::memory_order_acquire);
      const uint64_t a1 = s.addresses[1].load(std::memory_order_acquire);
      const uint64_t a2 = s.addresses[2].load(std::memory_order_acquire);
      const uint64_t a3 = s.addresses[3].load(std::memory_order_acquire);
      // Everything above was read between two equal even sequence numbers: one version.
      if (s.seq.load(std::memory_order_relaxed) != seq) continue;
      if (name.size() > kInlineName && !rest_matches(entry, name.substr(kInlineName))) break;
      if (mark_referenced && s.referenced.load(std::memory_order_relaxed) == 0) {
        // Only when clear: once per entry per eviction sweep, so the line stays shared.
        s.referenced.store(1, std::memory_order_relaxed);
      }
      return {entry, expires_at_ms, address_count, a0, a1, a2, a3};
    }
  }
  return {};
}

}  // namespace sipedge::resolve
