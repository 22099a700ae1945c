#include "trust/flow_token.h"

#include <gtest/gtest.h>

#include <random>

namespace sipedge::trust {
namespace {

TEST(FlowToken, PacksAndUnpacksEveryField) {
  FlowToken t{FlowKind::kTls, 200, kMaxFlowSlot, kFlowGenerationMask};
  auto back = unpack(pack(t));
  ASSERT_TRUE(back.has_value());
  EXPECT_EQ(*back, t);
  FlowToken udp{FlowKind::kUdp, 0, 3, 0};
  EXPECT_EQ(*unpack(pack(udp)), udp);
  EXPECT_FALSE(udp.is_stream());
  EXPECT_TRUE(t.is_stream());
}

TEST(FlowToken, UnknownKindsAreRefused) {
  EXPECT_FALSE(unpack(0).has_value());
  EXPECT_FALSE(unpack(uint64_t{6} << 60).has_value());
  EXPECT_FALSE(unpack(uint64_t{15} << 60).has_value());
}

TEST(FlowToken, HexRoundTripsAndRefusesAnythingElse) {
  std::mt19937_64 rng(7);
  for (int i = 0; i < 1000; ++i) {
    uint64_t v = rng();
    char h[16];
    put_hex64(v, h);
    EXPECT_EQ(parse_hex64(h), v);
  }
  char upper[] = "00000000000000AB";
  EXPECT_FALSE(parse_hex64(std::span<const char, 16>(upper, 16)).has_value());
  char junk[] = "000000000000000g";
  EXPECT_FALSE(parse_hex64(std::span<const char, 16>(junk, 16)).has_value());
}

}  // namespace
}  // namespace sipedge::trust
