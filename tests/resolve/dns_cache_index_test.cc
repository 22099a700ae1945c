// The cache's seqlock slot index under a long single-writer churn (backward-shift deletion
// in long collision clusters), checked against std::map after every step; and what a slot
// carries: the whole key (names longer than a slot holds are told apart by their rest), the
// expiry and a small address set.
#include "resolve/dns_cache_index.h"

#include <gtest/gtest.h>

#include <array>
#include <cstring>
#include <map>
#include <memory>
#include <random>
#include <string>
#include <vector>

namespace sipedge::resolve {
namespace {

struct Item {
  std::string name;
};

bool no_rest(const void*, std::string_view) { return true; }

void churn(uint64_t home_offset) {
  constexpr size_t kCapacity = 32;
  DnsCacheIndex index(kCapacity);
  ASSERT_EQ(index.slot_count(), 64u);
  std::vector<std::unique_ptr<Item>> items;  // owns every value ever stored
  std::map<uint64_t, Item*> expected;
  std::mt19937_64 rng(5);
  // A deliberately poor hash (many collisions) makes probe chains long.
  // An offset near the end of the 64 slots makes clusters wrap around the table's end.
  auto hash_of = [home_offset](uint64_t key) { return home_offset + key % 7; };
  auto name_of = [](uint64_t key) { return "k" + std::to_string(key) + ".example.test"; };
  for (int step = 0; step < 20'000; ++step) {
    const uint64_t key = rng() % 48;
    const uint64_t h = hash_of(key);
    const std::string name = name_of(key);
    auto it = expected.find(key);
    if (rng() % 3 == 0 || expected.size() >= kCapacity) {
      if (it != expected.end()) {
        ASSERT_TRUE(index.erase(h, it->second));
        expected.erase(it);
      } else {
        ASSERT_EQ(index.find(h, name, RrType::kA, no_rest).entry, nullptr);
      }
    } else {
      items.push_back(std::make_unique<Item>(Item{name}));
      const SlotRecord record{h, RrType::kA, name, step, items.back().get(), {}};
      ASSERT_TRUE(index.publish(record, it == expected.end() ? nullptr : it->second));
      expected[key] = items.back().get();
    }
    ASSERT_EQ(index.size(), expected.size());
    if (step % 97 == 0) {
      for (uint64_t k = 0; k < 48; ++k) {
        auto e = expected.find(k);
        const SlotHit got = index.find(hash_of(k), name_of(k), RrType::kA, no_rest);
        ASSERT_EQ(got.entry, e == expected.end() ? nullptr : e->second) << "key " << k;
        // Same hash, same name, other type: another key.
        ASSERT_EQ(index.find(hash_of(k), name_of(k), RrType::kAaaa, no_rest).entry, nullptr);
      }
    }
  }
}

TEST(DnsCacheIndex, ChurnWithBackwardShiftDeletionMatchesAMap) { churn(0); }

TEST(DnsCacheIndex, ChurnWithClustersWrappingAroundTheEnd) { churn(60); }

TEST(DnsCacheIndex, PublishingOverAnEntryThatIsNotThereIsRefused) {
  DnsCacheIndex index(4);
  Item a{"a.test"}, b{"b.test"};
  ASSERT_TRUE(index.publish(SlotRecord{1, RrType::kA, a.name, 0, &a, {}}, nullptr));
  EXPECT_FALSE(index.publish(SlotRecord{1, RrType::kA, a.name, 0, &a, {}}, &b));
  EXPECT_FALSE(index.erase(1, &b));
  EXPECT_EQ(index.find(1, a.name, RrType::kA, no_rest).entry, &a);
}

TEST(DnsCacheIndex, NamesLongerThanASlotHoldsAreComparedInFull) {
  DnsCacheIndex index(4);
  const std::string stem(DnsCacheIndex::kInlineName, 'x');
  Item a{stem + ".a.test"}, b{stem + ".b.test"};
  auto rest_of = [](const void* entry, std::string_view rest) {
    return static_cast<const Item*>(entry)->name.substr(DnsCacheIndex::kInlineName) == rest;
  };
  // Same hash on purpose: only the part beyond the slot tells the two names apart.
  ASSERT_TRUE(index.publish(SlotRecord{9, RrType::kA, a.name, 0, &a, {}}, nullptr));
  ASSERT_TRUE(index.publish(SlotRecord{9, RrType::kA, b.name, 0, &b, {}}, nullptr));
  EXPECT_EQ(index.find(9, a.name, RrType::kA, rest_of).entry, &a);
  EXPECT_EQ(index.find(9, b.name, RrType::kA, rest_of).entry, &b);
  EXPECT_EQ(index.find(9, stem + ".c.test", RrType::kA, rest_of).entry, nullptr);
}

TEST(DnsCacheIndex, ASlotCarriesTheExpiryAndASmallAddressSet) {
  DnsCacheIndex index(4);
  Item a{"a.test"};
  IpAddress v4{4, {192, 0, 2, 7}};
  const std::vector<IpAddress> set{v4, v4};
  ASSERT_TRUE(index.publish(
      SlotRecord{3, RrType::kA, a.name, 12345, &a, SlotAddresses::of(RrType::kA, set)}, nullptr));
  const SlotHit hit = index.find(3, a.name, RrType::kA, no_rest);
  const std::array<uint64_t, 4> words{hit.address0, hit.address1, hit.address2, hit.address3};
  EXPECT_EQ(hit.expires_at_ms, 12345);
  ASSERT_EQ(hit.address_count, 2);
  std::array<uint8_t, 32> bytes;
  std::memcpy(bytes.data(), words.data(), bytes.size());
  EXPECT_EQ(bytes[3], 7);
  EXPECT_EQ(bytes[7], 7);
}

TEST(SlotAddresses, OnlySetsOfTheTypesFamilyThatFitAreInline) {
  const IpAddress v4{4, {192, 0, 2, 1}};
  IpAddress v6{6, {}};
  v6.bytes[0] = 0x20;
  EXPECT_EQ(SlotAddresses::of(RrType::kA, {}).count, 0);
  EXPECT_EQ(SlotAddresses::of(RrType::kA, std::vector<IpAddress>(4, v4)).count, 4);
  EXPECT_EQ(SlotAddresses::of(RrType::kA, std::vector<IpAddress>(5, v4)).count,
            SlotAddresses::kNotInline);
  EXPECT_EQ(SlotAddresses::of(RrType::kAaaa, std::vector<IpAddress>(2, v6)).count, 2);
  EXPECT_EQ(SlotAddresses::of(RrType::kAaaa, std::vector<IpAddress>(3, v6)).count,
            SlotAddresses::kNotInline);
  EXPECT_EQ(SlotAddresses::of(RrType::kA, std::vector<IpAddress>{v4, v6}).count,
            SlotAddresses::kNotInline);
  EXPECT_EQ(SlotAddresses::of(RrType::kSrv, std::vector<IpAddress>{v4}).count,
            SlotAddresses::kNotInline);
}

}  // namespace
}  // namespace sipedge::resolve
