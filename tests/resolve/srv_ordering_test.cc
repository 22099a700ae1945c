// RFC 2782 ordering: priorities, the weighted draw (statistically, fixed seed), weight 0,
// and the "." target.
#include "resolve/srv_ordering.h"

#include <gtest/gtest.h>

#include <map>

namespace sipedge::resolve {
namespace {

constexpr int kDraws = 100'000;

std::map<std::string, int> first_pick_counts(const std::vector<SrvRecord>& records, uint64_t seed) {
  std::mt19937_64 rng(seed);
  std::map<std::string, int> counts;
  for (int i = 0; i < kDraws; ++i) ++counts[order_srv_records(records, rng).front().target];
  return counts;
}

TEST(SrvOrdering, Rfc2782_PriorityAscendingBeforeWeights) {
  std::mt19937_64 rng(1);
  auto out = order_srv_records({{30, 1000, 1, "c"}, {10, 0, 1, "a"}, {20, 5, 1, "b"}}, rng);
  ASSERT_EQ(out.size(), 3u);
  EXPECT_EQ(out[0].target, "a");
  EXPECT_EQ(out[1].target, "b");
  EXPECT_EQ(out[2].target, "c");
}

TEST(SrvOrdering, Rfc2782_WeightDistributionFollowsWeights) {
  // Draw in [0, 100]: running sums 10, 30, 100 give 11/101, 20/101, 70/101.
  auto counts = first_pick_counts({{0, 10, 1, "w10"}, {0, 20, 1, "w20"}, {0, 70, 1, "w70"}}, 42);
  EXPECT_NEAR(counts["w10"] / double(kDraws), 11.0 / 101, 0.01);
  EXPECT_NEAR(counts["w20"] / double(kDraws), 20.0 / 101, 0.01);
  EXPECT_NEAR(counts["w70"] / double(kDraws), 70.0 / 101, 0.01);
}

TEST(SrvOrdering, Rfc2782_WeightZeroChosenFirstOnlyWhenTheDrawIsZero) {
  // Weight-0 records sit at the start of the running sum: picked first with p = 1/(sum+1).
  auto counts = first_pick_counts({{0, 100, 1, "heavy"}, {0, 0, 1, "zero"}}, 7);
  EXPECT_NEAR(counts["zero"] / double(kDraws), 1.0 / 101, 0.004);
  EXPECT_GT(counts["zero"], 0);
}

TEST(SrvOrdering, Rfc2782_AllWeightsZeroAreEquallyLikely) {
  auto counts = first_pick_counts({{0, 0, 1, "a"}, {0, 0, 1, "b"}, {0, 0, 1, "c"}}, 9);
  for (const char* t : {"a", "b", "c"}) {
    EXPECT_NEAR(counts[t] / double(kDraws), 1.0 / 3, 0.01) << t;
  }
}

TEST(SrvOrdering, Rfc2782_EveryRecordAppearsExactlyOnce) {
  std::mt19937_64 rng(3);
  auto out = order_srv_records(
      {{0, 5, 1, "a"}, {0, 0, 2, "b"}, {1, 3, 3, "c"}, {1, 3, 4, "d"}, {0, 9, 5, "e"}}, rng);
  ASSERT_EQ(out.size(), 5u);
  std::map<std::string, int> seen;
  for (const auto& r : out) ++seen[r.target];
  for (const char* t : {"a", "b", "c", "d", "e"}) EXPECT_EQ(seen[t], 1) << t;
  EXPECT_EQ(out[3].priority, 1);
  EXPECT_EQ(out[4].priority, 1);
}

TEST(SrvOrdering, Rfc2782_SameSeedSameOrder) {
  const std::vector<SrvRecord> records{{0, 10, 1, "a"}, {0, 10, 1, "b"}, {0, 10, 1, "c"}};
  std::mt19937_64 rng1(123), rng2(123);
  for (int i = 0; i < 20; ++i) {
    auto a = order_srv_records(records, rng1);
    auto b = order_srv_records(records, rng2);
    EXPECT_EQ(a, b);
  }
}

TEST(SrvOrdering, Rfc2782_DotTargetAloneMeansServiceUnavailable) {
  EXPECT_TRUE(srv_service_unavailable({{0, 0, 0, "."}}));
  EXPECT_FALSE(srv_service_unavailable({{0, 0, 5060, "a"}}));
  std::mt19937_64 rng(1);
  EXPECT_TRUE(order_srv_records({{0, 0, 0, "."}}, rng).empty());
}

}  // namespace
}  // namespace sipedge::resolve
