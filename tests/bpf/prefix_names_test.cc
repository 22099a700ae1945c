// Unit tests (no kernel needed) for the userspace side of the XDP ABI: prefix parsing and the
// operator-facing names of classes, policies and port kinds.
#include <gtest/gtest.h>

#include "xdp/names.h"
#include "xdp/prefix.h"

namespace sipedge::xdp {
namespace {

TEST(Prefix, Ipv4PrefixIsMaskedToItsLength) {
  auto p = ParsePrefix("192.0.2.77/24");
  ASSERT_TRUE(p) << p.error();
  EXPECT_EQ(p->family, 4);
  EXPECT_EQ(p->v4.prefixlen, 24u);
  EXPECT_EQ(FormatPrefix(p->v4), "192.0.2.0/24");
}

TEST(Prefix, BareAddressesAreHostPrefixes) {
  auto v4 = ParsePrefix("198.51.100.1");
  ASSERT_TRUE(v4);
  EXPECT_EQ(FormatPrefix(v4->v4), "198.51.100.1/32");
  auto v6 = ParsePrefix("2001:db8::1");
  ASSERT_TRUE(v6);
  EXPECT_EQ(v6->family, 6);
  EXPECT_EQ(FormatPrefix(v6->v6), "2001:db8::1/128");
}

TEST(Prefix, Ipv6PrefixWithOddLength) {
  auto p = ParsePrefix("2001:db8:abcd:ef01::/33");
  ASSERT_TRUE(p);
  EXPECT_EQ(FormatPrefix(p->v6), "2001:db8:8000::/33");
}

TEST(Prefix, BadPrefixesAreErrorsNamingTheText) {
  for (const char* bad : {"10.0.0.0/33", "2001:db8::/129", "10.0.0/8", "10.0.0.0/", "10.0.0.0/8x",
                          "", "example.com/24", "10.0.0.0/-1"}) {
    auto p = ParsePrefix(bad);
    ASSERT_FALSE(p) << bad;
    EXPECT_EQ(p.error(), std::string("bad prefix: ") + bad);
  }
}

TEST(Names, ClassNamesMatchTheJsonContract) {
  const char* expected[] = {"sip_udp", "sip_tcp",   "sip_tls", "sip_sctp", "sip_ws",
                            "sip_wss", "keepalive", "other",   "fragment"};
  for (unsigned i = 0; i < SIPEDGE_CLASS_MAX; ++i) {
    EXPECT_EQ(ClassName(i), expected[i]);
    EXPECT_EQ(ClassFromName(expected[i]), i);
  }
  const char* drops[] = {"denied",       "rate_limited", "malformed",
                         "tls_required", "truncated",    "unreadable"};
  static_assert(std::size(drops) == SIPEDGE_DROP_MAX);
  for (unsigned i = 0; i < SIPEDGE_DROP_MAX; ++i) EXPECT_EQ(DropName(i), drops[i]);
}

TEST(Names, PortKindsPerProtocol) {
  EXPECT_EQ(PortClassFor(SIPEDGE_L4_UDP, "sip"), SIPEDGE_CLASS_SIP_UDP);
  EXPECT_EQ(PortClassFor(SIPEDGE_L4_SCTP, "sip"), SIPEDGE_CLASS_SIP_SCTP);
  EXPECT_EQ(PortClassFor(SIPEDGE_L4_TCP, "tls"), SIPEDGE_CLASS_SIP_TLS);
  EXPECT_EQ(PortClassFor(SIPEDGE_L4_TCP, "wss"), SIPEDGE_CLASS_SIP_WSS);
  EXPECT_FALSE(PortClassFor(SIPEDGE_L4_UDP, "tls"));
  EXPECT_FALSE(PortClassFor(SIPEDGE_L4_SCTP, "ws"));
  EXPECT_FALSE(PortClassFor(SIPEDGE_L4_TCP, "http"));
}

TEST(Names, Policies) {
  EXPECT_EQ(PolicyFromName("deny"), SIPEDGE_POLICY_DENY);
  EXPECT_EQ(PolicyFromName("allow"), SIPEDGE_POLICY_ALLOW);
  EXPECT_EQ(PolicyFromName("tls-only"), SIPEDGE_POLICY_TLS_ONLY);
  EXPECT_FALSE(PolicyFromName("none"));
  EXPECT_FALSE(PolicyFromName("tls_only"));
}

}  // namespace
}  // namespace sipedge::xdp
