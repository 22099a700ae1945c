// The per-CPU source cache (bpf/srccache.bpf.h): a cached "unlisted" verdict never outlives a
// change of the policy (add, delete, replace, and a replace back to the same set), and a
// lease never lets a source past its burst. Each case fails if the cache is not invalidated.
#include "xdp_fixture.h"
#include "xdp/policy_file.h"

namespace sipedge::testing {
namespace {

using sipedge::xdp::ParsePrefix;
using sipedge::xdp::PolicyRule;

using SourceCacheTest = XdpProgTest;

TEST_F(SourceCacheTest, CachedUnlistedVerdictEndsWithEveryPolicyChange) {
  // Another IPv4 entry, so the IPv4 trie is looked up and its verdict cached.
  ASSERT_TRUE(sipedge::xdp::PolicyAdd(maps_, *ParsePrefix("10.0.0.0/8"), SIPEDGE_POLICY_DENY));
  for (int i = 0; i < 3; ++i) EXPECT_EQ(Run(UdpV4("192.0.2.1", 5060, kInvite)), XDP_PASS);

  ASSERT_TRUE(sipedge::xdp::PolicyAdd(maps_, *ParsePrefix("192.0.2.0/24"), SIPEDGE_POLICY_DENY));
  EXPECT_EQ(Run(UdpV4("192.0.2.1", 5060, kInvite)), XDP_DROP) << "add";
  ASSERT_TRUE(sipedge::xdp::PolicyDel(maps_, *ParsePrefix("192.0.2.0/24")));
  EXPECT_EQ(Run(UdpV4("192.0.2.1", 5060, kInvite)), XDP_PASS) << "delete";
  EXPECT_EQ(Run(UdpV4("192.0.2.1", 5060, kInvite)), XDP_PASS) << "cached again";

  // Replace twice: the set bit returns to where it was, the generation does not.
  ASSERT_TRUE(
      sipedge::xdp::PolicyReplace(maps_, {{*ParsePrefix("10.0.0.0/8"), SIPEDGE_POLICY_DENY, 0}}));
  EXPECT_EQ(Run(UdpV4("192.0.2.1", 5060, kInvite)), XDP_PASS);
  ASSERT_TRUE(sipedge::xdp::PolicyReplace(
      maps_, {{*ParsePrefix("10.0.0.0/8"), SIPEDGE_POLICY_DENY, 0},
              {*ParsePrefix("192.0.2.1/32"), SIPEDGE_POLICY_TLS_ONLY, 0}}));
  EXPECT_EQ(Run(UdpV4("192.0.2.1", 5060, kInvite)), XDP_DROP) << "replace back to set A";
  EXPECT_EQ(Drops(SIPEDGE_DROP_TLS_REQUIRED), 1u);
  EXPECT_EQ(Drops(SIPEDGE_DROP_DENIED), 1u);
}

TEST_F(SourceCacheTest, CachedVerdictIsPerAddressNotPerSlotOrPrefix) {
  ASSERT_TRUE(sipedge::xdp::PolicyAdd(maps_, *ParsePrefix("2001:db8::1/128"), SIPEDGE_POLICY_DENY));
  auto v6 = [](const char* src) {
    Packet p;
    p.Eth().IPv6(src, "2001:db8:1::1").Udp(5062, 5060).Payload(kInvite);
    return p;
  };
  for (int i = 0; i < 3; ++i) EXPECT_EQ(Run(v6("2001:db8::2")), XDP_PASS);
  EXPECT_EQ(Run(v6("2001:db8::1")), XDP_DROP) << "same /64, listed /128";
  EXPECT_EQ(Run(v6("2001:db8::2")), XDP_PASS);
}

TEST_F(SourceCacheTest, LeasesNeverPassMoreThanTheBurst) {
  ASSERT_TRUE(sipedge::xdp::SetRateLimit(maps_, 1, 20, 1, 4));  // no refill within the test
  int passed = 0;
  for (int i = 0; i < 100; ++i) passed += Run(UdpV4("192.0.2.1", 5060, kInvite)) == XDP_PASS;
  EXPECT_EQ(passed, 20);
  int syn_passed = 0;
  for (int i = 0; i < 100; ++i) syn_passed += Run(TcpV4("192.0.2.1", 5060, 0x02)) == XDP_PASS;
  EXPECT_EQ(syn_passed, 4);
  EXPECT_EQ(Drops(SIPEDGE_DROP_RATE_LIMITED), 80u + 96u);
}

}  // namespace
}  // namespace sipedge::testing
