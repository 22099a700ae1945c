#include "router/target_cache.h"

#include <gtest/gtest.h>

#include <string>

namespace sipedge::router {
namespace {

TargetList one_target(uint8_t last_octet) {
  TargetList l;
  l.count = 1;
  l.targets[0].transport = resolve::Transport::kUdp;
  l.targets[0].endpoint.address.family = 4;
  l.targets[0].endpoint.address.bytes = {192, 0, 2, last_octet};
  l.targets[0].endpoint.port = 5060;
  return l;
}

TargetKey key_for(const std::string& host, uint16_t port = 0, std::string_view transport = "") {
  TargetKey k;
  EXPECT_TRUE(make_target_key(false, host, port, transport, &k));
  return k;
}

TEST(TargetKey, HostIsCaseInsensitiveAndTrailingDotIsIgnored) {
  EXPECT_EQ(key_for("Example.COM").view(), key_for("example.com.").view());
  EXPECT_NE(key_for("example.com", 5060).view(), key_for("example.com").view());
  EXPECT_NE(key_for("example.com", 0, "tcp").view(), key_for("example.com").view());
  TargetKey sips;
  ASSERT_TRUE(make_target_key(true, "example.com", 0, "", &sips));
  EXPECT_NE(sips.view(), key_for("example.com").view());
}

TEST(TargetKey, OverlongNamesAreRefused) {
  TargetKey k;
  EXPECT_FALSE(make_target_key(false, std::string(256, 'a'), 0, "", &k));
  EXPECT_TRUE(make_target_key(false, std::string(255, 'a'), 65535, "udp", &k));
}

TEST(TargetCache, HitUntilExpiry) {
  TargetCache cache(64);
  TargetKey k = key_for("example.com");
  cache.insert(k, one_target(1), /*expires_ms=*/1000, /*now_ms=*/0);
  const TargetList* hit = cache.find(k, 999);
  ASSERT_NE(hit, nullptr);
  EXPECT_EQ(hit->targets[0].endpoint.address.bytes[3], 1);
  EXPECT_EQ(cache.find(k, 1000), nullptr);
  EXPECT_EQ(cache.find(key_for("other.example.com"), 0), nullptr);
}

TEST(TargetCache, InsertReplacesTheSameKey) {
  TargetCache cache(64);
  TargetKey k = key_for("example.com");
  cache.insert(k, one_target(1), 1000, 0);
  cache.insert(k, one_target(2), 1000, 0);
  EXPECT_EQ(cache.size(), 1u);
  EXPECT_EQ(cache.find(k, 0)->targets[0].endpoint.address.bytes[3], 2);
}

// A flood of random names must not wash out the entries real traffic keeps using.
TEST(TargetCache, RandomNameFloodKeepsTheEntriesInUse) {
  TargetCache cache(256);
  std::vector<TargetKey> hot;
  for (int i = 0; i < 32; ++i) {
    hot.push_back(key_for("carrier" + std::to_string(i) + ".example.net"));
    cache.insert(hot.back(), one_target(static_cast<uint8_t>(i)), 1'000'000, 0);
  }
  int64_t now = 1;
  for (int round = 0; round < 200; ++round) {
    for (const TargetKey& k : hot)
      ASSERT_NE(cache.find(k, now), nullptr) << k.view() << " round " << round;
    for (int j = 0; j < 50; ++j) {
      cache.insert(key_for("r" + std::to_string(round) + "x" + std::to_string(j) + ".invalid"),
                   TargetList{}, 1'000'000, now);
    }
    ++now;
  }
  EXPECT_GT(cache.evictions(), 0u);
  EXPECT_LE(cache.size(), 256u);
}

TEST(HopQuarantine, FailedHopIsQuarantinedForThePeriod) {
  HopQuarantine q(64, 30'000);
  HopTarget t = one_target(7).targets[0];
  EXPECT_FALSE(q.is_quarantined(t, 0));
  q.mark_failed(t, 100);
  EXPECT_TRUE(q.is_quarantined(t, 100));
  EXPECT_TRUE(q.is_quarantined(t, 30'099));
  EXPECT_FALSE(q.is_quarantined(t, 30'100));
  HopTarget tcp = t;
  tcp.transport = resolve::Transport::kTcp;
  EXPECT_FALSE(q.is_quarantined(tcp, 200));
}

}  // namespace
}  // namespace sipedge::router

namespace sipedge::router {
namespace {

TEST(HopQuarantine, ManyFailedHopsStayQuarantinedTogether) {
  HopQuarantine q(64, 30'000);
  std::vector<HopTarget> hops;
  for (uint8_t i = 0; i < 16; ++i) {
    HopTarget t = one_target(i).targets[0];
    t.endpoint.port = static_cast<uint16_t>(5060 + i);
    hops.push_back(t);
    q.mark_failed(t, 0);
  }
  for (const HopTarget& t : hops) EXPECT_TRUE(q.is_quarantined(t, 1)) << t.endpoint.to_string();
}

}  // namespace
}  // namespace sipedge::router
