// Anonymous, zero-filled memory aligned to a 2 MiB huge page and advised MADV_HUGEPAGE, so
// the kernel can back it with transparent huge pages: a large table read at random (the DNS
// cache's slot array, the benchmark's memory-latency floor) then needs far fewer TLB entries
// than with 4 KiB pages. Where the kernel grants no huge pages it is ordinary memory.
#pragma once

#include <cstddef>

namespace sipedge::resolve {

class HugePageMemory {
 public:
  // Maps `bytes`; throws std::bad_alloc when the kernel refuses (construction time only,
  // never on a hot path).
  explicit HugePageMemory(size_t bytes);
  ~HugePageMemory();
  HugePageMemory(const HugePageMemory&) = delete;
  HugePageMemory& operator=(const HugePageMemory&) = delete;

  // The mapping's first byte (2 MiB aligned).
  void* data() const { return data_; }
  size_t size() const { return size_; }

 private:
  void* data_ = nullptr;
  size_t size_ = 0;
};

}  // namespace sipedge::resolve
