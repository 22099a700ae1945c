#include "resolve/huge_page_memory.h"

#include <sys/mman.h>

#include <cstdint>
#include <new>

namespace sipedge::resolve {

namespace {
constexpr size_t kHugePage = size_t{2} << 20;
}  // namespace

HugePageMemory::HugePageMemory(size_t bytes) : size_(bytes) {
  // Over-map by one huge page, then give back the unaligned head and the unused tail.
  const size_t mapped = bytes + kHugePage;
  void* raw = mmap(nullptr, mapped, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
  if (raw == MAP_FAILED) throw std::bad_alloc();
  const uintptr_t base = reinterpret_cast<uintptr_t>(raw);
  const uintptr_t aligned = (base + kHugePage - 1) & ~(kHugePage - 1);
  if (aligned > base) munmap(raw, aligned - base);
  const uintptr_t end = base + mapped;
  if (end > aligned + bytes)
    munmap(reinterpret_cast<void*>(aligned + bytes), end - aligned - bytes);
  data_ = reinterpret_cast<void*>(aligned);
  madvise(data_, bytes, MADV_HUGEPAGE);  // a hint: 4 KiB pages work too
}

HugePageMemory::~HugePageMemory() { munmap(data_, size_); }

}  // namespace sipedge::resolve
