// The lock-free slot index under a long single-writer churn (backward-shift deletion in
// long collision clusters), checked against std::map after every step.
#include "resolve/rcu_slot_index.h"

#include <gtest/gtest.h>

#include <map>
#include <memory>
#include <random>
#include <vector>

namespace sipedge::resolve {
namespace {

struct Item {
  uint64_t key;
};

void churn(uint64_t home_offset) {
  constexpr size_t kCapacity = 32;
  RcuSlotIndex index(kCapacity);
  std::vector<std::unique_ptr<Item>> items;  // owns every value ever stored
  std::map<uint64_t, Item*> expected;
  std::mt19937_64 rng(5);
  // A deliberately poor hash (many collisions) makes probe chains long.
  // An offset near the end of the 64 slots makes clusters wrap around the table's end.
  auto hash_of = [home_offset](uint64_t key) { return home_offset + key % 7; };
  for (int step = 0; step < 20'000; ++step) {
    const uint64_t key = rng() % 48;
    const uint64_t h = hash_of(key);
    auto same_key = [key](const void* p) { return static_cast<const Item*>(p)->key == key; };
    if (rng() % 3 == 0 || expected.size() >= kCapacity) {
      auto it = expected.find(key);
      if (it != expected.end()) {
        ASSERT_TRUE(index.erase(h, it->second));
        expected.erase(it);
      } else {
        ASSERT_EQ(index.find(h, same_key), nullptr);
      }
    } else {
      items.push_back(std::make_unique<Item>(Item{key}));
      void* old = index.upsert(h, items.back().get(), same_key);
      auto it = expected.find(key);
      ASSERT_EQ(old, it == expected.end() ? nullptr : it->second);
      expected[key] = items.back().get();
    }
    ASSERT_EQ(index.size(), expected.size());
    if (step % 97 == 0) {
      for (uint64_t k = 0; k < 48; ++k) {
        auto it = expected.find(k);
        const void* got = index.find(
            hash_of(k), [k](const void* p) { return static_cast<const Item*>(p)->key == k; });
        ASSERT_EQ(got, it == expected.end() ? nullptr : it->second) << "key " << k;
      }
    }
  }
}

TEST(RcuSlotIndex, ChurnWithBackwardShiftDeletionMatchesAMap) { churn(0); }

TEST(RcuSlotIndex, ChurnWithClustersWrappingAroundTheEnd) { churn(60); }

}  // namespace
}  // namespace sipedge::resolve
