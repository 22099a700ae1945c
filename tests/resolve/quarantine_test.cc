// resolve::Quarantine is bounded (issue 18 item 7): marks from anyone who can make hops fail
// must not grow it without limit, nor push a live quarantine out.
#include "resolve/quarantine.h"

#include <gtest/gtest.h>

#include <vector>

namespace sipedge::resolve {
namespace {

Target udp_target(uint32_t n) {
  Target t;
  t.transport = Transport::kUdp;
  t.address.family = 6;
  t.address.bytes = {0x20, 0x01, 0x0d, 0xb8};
  t.address.bytes[12] = static_cast<uint8_t>(n >> 24);
  t.address.bytes[13] = static_cast<uint8_t>(n >> 16);
  t.address.bytes[14] = static_cast<uint8_t>(n >> 8);
  t.address.bytes[15] = static_cast<uint8_t>(n);
  t.port = 5060;
  return t;
}

TEST(ResolveQuarantine, StaysWithinItsBoundUnder100000DistinctMarks) {
  // 10 marks per ms for 10 s with a 1 s period: 10,000 would be live at once unbounded.
  Quarantine q(1'000, 4096);
  size_t largest = 0;
  uint64_t accepted = 0;
  for (uint32_t i = 0; i < 100'000; ++i) {
    if (q.mark_failed(udp_target(i), i / 10)) ++accepted;
    largest = std::max(largest, q.size());
  }
  EXPECT_LE(largest, 4096u);
  EXPECT_EQ(q.max_entries(), 4096u);
  EXPECT_EQ(accepted + q.refused(), 100'000u);
  // Ended entries make room: the first 4,096 were not the only ones taken (about 4,096
  // per period of the 10 are; allow for rescans every period / 64).
  EXPECT_GT(accepted, 4096u * 8);
  EXPECT_GT(q.refused(), 0u);
}

TEST(ResolveQuarantine, TheDefaultBoundIs4096) {
  Quarantine q(30'000);
  for (uint32_t i = 0; i < 100'000; ++i) q.mark_failed(udp_target(i), 0);
  EXPECT_EQ(q.size(), Quarantine::kDefaultMaxEntries);
  EXPECT_EQ(q.refused(), 100'000u - Quarantine::kDefaultMaxEntries);
}

TEST(ResolveQuarantine, AFullTableRefusesNewMarksAndKeepsEveryLiveQuarantine) {
  // Evicting the soonest-ending entry would let a flood of marks un-quarantine a hop that
  // really failed; the flood is refused instead.
  Quarantine q(30'000, 8);
  Target failed = udp_target(1);
  ASSERT_TRUE(q.mark_failed(failed, 0));
  for (uint32_t i = 100; i < 107; ++i) ASSERT_TRUE(q.mark_failed(udp_target(i), 10));
  for (uint32_t i = 1'000; i < 2'000; ++i) EXPECT_FALSE(q.mark_failed(udp_target(i), 20));
  EXPECT_EQ(q.refused(), 1'000u);
  EXPECT_TRUE(q.is_quarantined(failed, 29'999));
  EXPECT_FALSE(q.is_quarantined(udp_target(1'000), 20));
  // A hop already held is still extended when the table is full.
  EXPECT_TRUE(q.mark_failed(failed, 100));
  EXPECT_TRUE(q.is_quarantined(failed, 30'099));
}

TEST(ResolveQuarantine, AFullTableForgetsEndedQuarantinesToMakeRoom) {
  Quarantine q(30'000, 8);
  for (uint32_t i = 0; i < 8; ++i) ASSERT_TRUE(q.mark_failed(udp_target(i), 0));
  // Half of them are extended; the other half end at 30,000.
  for (uint32_t i = 0; i < 4; ++i) ASSERT_TRUE(q.mark_failed(udp_target(i), 10'000));
  EXPECT_FALSE(q.mark_failed(udp_target(100), 29'999));
  EXPECT_TRUE(q.mark_failed(udp_target(100), 30'000));
  EXPECT_EQ(q.size(), 5u);
  for (uint32_t i = 0; i < 4; ++i) EXPECT_TRUE(q.is_quarantined(udp_target(i), 30'000));
  for (uint32_t i = 4; i < 8; ++i) EXPECT_FALSE(q.is_quarantined(udp_target(i), 30'000));
  EXPECT_TRUE(q.is_quarantined(udp_target(100), 30'000));
}

TEST(ResolveQuarantine, QuarantineEndsAfterThePeriodAndApplyForgetsIt) {
  Quarantine q(30'000, 8);
  Target a = udp_target(1), b = udp_target(2), c = udp_target(3);
  q.mark_failed(a, 100);
  EXPECT_TRUE(q.is_quarantined(a, 30'099));
  EXPECT_FALSE(q.is_quarantined(a, 30'100));
  std::vector<Target> targets{a, b, c};
  q.apply(&targets, 1'000);
  EXPECT_EQ(targets[0].address, b.address);
  EXPECT_EQ(targets[1].address, c.address);
  EXPECT_EQ(targets[2].address, a.address);
  EXPECT_FALSE(q.empty());
  targets = {a, b, c};
  q.apply(&targets, 30'100);
  EXPECT_EQ(targets[0].address, a.address);
  EXPECT_TRUE(q.empty());
}

}  // namespace
}  // namespace sipedge::resolve
