#include "policy/network_set.h"

#include <gtest/gtest.h>

#include "net/endpoint.h"

namespace sipedge::policy {
namespace {

resolve::IpAddress ip(std::string_view text) {
  resolve::IpAddress a;
  EXPECT_TRUE(net::parse_ip_address(text, &a)) << text;
  return a;
}

NetworkSet set_of(std::initializer_list<std::string_view> cidrs) {
  NetworkSet s;
  for (auto c : cidrs) EXPECT_TRUE(s.add(c).has_value()) << c;
  return s;
}

TEST(NetworkSet, EmptySetContainsNothing) {
  NetworkSet s;
  EXPECT_EQ(s.size(), 0u);
  EXPECT_FALSE(s.contains(ip("0.0.0.0")));
  EXPECT_FALSE(s.contains(ip("::")));
}

TEST(NetworkSet, Ipv4PrefixBoundaries) {
  NetworkSet s = set_of({"192.0.2.0/24"});
  EXPECT_TRUE(s.contains(ip("192.0.2.0")));
  EXPECT_TRUE(s.contains(ip("192.0.2.255")));
  EXPECT_FALSE(s.contains(ip("192.0.1.255")));
  EXPECT_FALSE(s.contains(ip("192.0.3.0")));
}

TEST(NetworkSet, Ipv6PrefixBoundaries) {
  NetworkSet s = set_of({"2001:db8::/32"});
  EXPECT_TRUE(s.contains(ip("2001:db8::")));
  EXPECT_TRUE(s.contains(ip("2001:db8:ffff:ffff:ffff:ffff:ffff:ffff")));
  EXPECT_FALSE(s.contains(ip("2001:db7:ffff:ffff:ffff:ffff:ffff:ffff")));
  EXPECT_FALSE(s.contains(ip("2001:db9::")));
}

TEST(NetworkSet, Ipv4AndIpv6AreSeparateSpaces) {
  // 0.0.0.0/0 must not cover IPv6, ::/0 must not cover IPv4: same bytes, different family.
  NetworkSet v4 = set_of({"0.0.0.0/0"});
  EXPECT_TRUE(v4.contains(ip("255.255.255.255")));
  EXPECT_FALSE(v4.contains(ip("::")));
  NetworkSet v6 = set_of({"::/0"});
  EXPECT_TRUE(v6.contains(ip("ffff:ffff:ffff:ffff:ffff:ffff:ffff:ffff")));
  EXPECT_FALSE(v6.contains(ip("0.0.0.0")));
}

TEST(NetworkSet, DefaultRoutesCoverTheWholeSpace) {
  NetworkSet s = set_of({"0.0.0.0/0", "::/0"});
  for (auto a : {"0.0.0.0", "127.0.0.1", "255.255.255.255", "::", "::1", "fe80::1",
                 "ffff:ffff:ffff:ffff:ffff:ffff:ffff:ffff"}) {
    EXPECT_TRUE(s.contains(ip(a))) << a;
  }
}

TEST(NetworkSet, HostRoutesMatchOnlyThatAddress) {
  NetworkSet s = set_of({"198.51.100.7/32", "2001:db8::7/128", "203.0.113.9", "2001:db8::9"});
  EXPECT_EQ(s.size(), 4u);
  EXPECT_TRUE(s.contains(ip("198.51.100.7")));
  EXPECT_FALSE(s.contains(ip("198.51.100.6")));
  EXPECT_FALSE(s.contains(ip("198.51.100.8")));
  EXPECT_TRUE(s.contains(ip("203.0.113.9")));
  EXPECT_FALSE(s.contains(ip("203.0.113.8")));
  EXPECT_TRUE(s.contains(ip("2001:db8::7")));
  EXPECT_FALSE(s.contains(ip("2001:db8::6")));
  EXPECT_FALSE(s.contains(ip("2001:db8::8")));
  EXPECT_TRUE(s.contains(ip("2001:db8::9")));
  EXPECT_EQ(s.prefixes()[2].length, 32);
  EXPECT_EQ(s.prefixes()[3].length, 128);
}

TEST(NetworkSet, TopAndBottomOfTheAddressSpace) {
  NetworkSet s = set_of({"255.255.255.255/32", "0.0.0.0/32",
                         "ffff:ffff:ffff:ffff:ffff:ffff:ffff:ffff/128", "::/128"});
  EXPECT_TRUE(s.contains(ip("255.255.255.255")));
  EXPECT_TRUE(s.contains(ip("0.0.0.0")));
  EXPECT_FALSE(s.contains(ip("255.255.255.254")));
  EXPECT_FALSE(s.contains(ip("0.0.0.1")));
  EXPECT_TRUE(s.contains(ip("ffff:ffff:ffff:ffff:ffff:ffff:ffff:ffff")));
  EXPECT_TRUE(s.contains(ip("::")));
  EXPECT_FALSE(s.contains(ip("::1")));
}

TEST(NetworkSet, OverlappingAndNestedPrefixes) {
  NetworkSet s;
  EXPECT_TRUE(*s.add("10.1.0.0/16"));
  EXPECT_TRUE(*s.add("10.0.0.0/8"));      // covers the /16 added before it
  EXPECT_FALSE(*s.add("10.200.0.0/16"));  // already covered by the /8
  EXPECT_TRUE(*s.add("10.0.0.0/7"));      // widens to 10.0.0.0-11.255.255.255
  EXPECT_EQ(s.size(), 4u);
  EXPECT_TRUE(s.contains(ip("10.1.2.3")));
  EXPECT_TRUE(s.contains(ip("11.255.255.255")));
  EXPECT_FALSE(s.contains(ip("12.0.0.0")));
  EXPECT_FALSE(s.contains(ip("9.255.255.255")));
}

TEST(NetworkSet, AdjacentPrefixesAndGapsBetweenThem) {
  NetworkSet s = set_of({"192.0.2.0/25", "192.0.2.128/25", "192.0.4.0/24"});
  EXPECT_TRUE(s.contains(ip("192.0.2.127")));
  EXPECT_TRUE(s.contains(ip("192.0.2.128")));
  EXPECT_FALSE(s.contains(ip("192.0.3.0")));
  EXPECT_FALSE(s.contains(ip("192.0.3.255")));
  EXPECT_TRUE(s.contains(ip("192.0.4.0")));
  EXPECT_FALSE(s.contains(ip("192.0.5.0")));
  // Two adjacent halves cover their /24: adding it widens nothing.
  auto whole = s.add("192.0.2.0/24");
  ASSERT_TRUE(whole.has_value());
  EXPECT_FALSE(*whole);
  NetworkSet v6 = set_of({"2001:db8:1::/48", "2001:db8::/48", "2001:db8:3::/48"});
  EXPECT_TRUE(v6.contains(ip("2001:db8:1:ffff::1")));
  EXPECT_FALSE(v6.contains(ip("2001:db8:2::1")));
  EXPECT_TRUE(v6.contains(ip("2001:db8:3::")));
}

TEST(NetworkSet, ManyDisjointPrefixesAddedOutOfOrder) {
  NetworkSet s;
  for (int i = 254; i >= 0; i -= 2) {
    ASSERT_TRUE(s.add("172.16." + std::to_string(i) + ".0/24").has_value());
  }
  for (int i = 0; i < 256; ++i) {
    std::string a = "172.16." + std::to_string(i) + ".1";
    EXPECT_EQ(s.contains(ip(a)), i % 2 == 0) << a;
  }
}

TEST(NetworkSet, Ipv4MappedAddressIsNotIpv4) {
  // The router normalises mapped sources; an unnormalised one must not match IPv4 networks.
  NetworkSet s = set_of({"192.0.2.0/24"});
  resolve::IpAddress mapped = ip("::ffff:192.0.2.1");
  ASSERT_EQ(mapped.family, 6);
  EXPECT_FALSE(s.contains(mapped));
  EXPECT_TRUE(s.contains(ip("192.0.2.1")));
}

TEST(NetworkSet, Ipv4MappedPrefixIsRefused) {
  NetworkSet s;
  auto r = s.add("::ffff:192.0.2.0/120");
  ASSERT_FALSE(r.has_value());
  EXPECT_NE(r.error().find("::ffff:192.0.2.0/120"), std::string::npos) << r.error();
  EXPECT_NE(r.error().find("IPv4-mapped"), std::string::npos) << r.error();
  // A short IPv6 prefix that merely includes the mapped range is an ordinary IPv6 network.
  EXPECT_TRUE(s.add("::/64").has_value());
}

TEST(NetworkSet, BadCidrTextNamesTheEntry) {
  for (std::string_view bad :
       {"", "/24", "192.0.2.0/", "192.0.2.0/33", "2001:db8::/129", "192.0.2.0/-1", "192.0.2.0/+8",
        "192.0.2.0/2x", "192.0.2.0/24/8", "192.0.2", "example.com/24", " 192.0.2.0/24",
        "[2001:db8::]/32", "fe80::1%eth0", "192.0.2.1/24", "2001:db8::1/32", "10.0.0.0/0008"}) {
    NetworkSet s;
    auto r = s.add(bad);
    ASSERT_FALSE(r.has_value()) << "accepted: \"" << bad << "\"";
    EXPECT_NE(r.error().find("\"" + std::string(bad) + "\""), std::string::npos) << r.error();
    EXPECT_EQ(s.size(), 0u);
  }
}

TEST(NetworkSet, HostBitsErrorSaysSo) {
  NetworkSet s;
  auto r = s.add("192.0.2.1/24");
  ASSERT_FALSE(r.has_value());
  EXPECT_NE(r.error().find("host bits"), std::string::npos) << r.error();
}

TEST(NetworkSet, PrefixesKeepsEntriesInOrder) {
  NetworkSet s = set_of({"2001:db8::/32", "10.0.0.0/8"});
  ASSERT_EQ(s.prefixes().size(), 2u);
  EXPECT_EQ(s.prefixes()[0].network, ip("2001:db8::"));
  EXPECT_EQ(s.prefixes()[0].length, 32);
  EXPECT_EQ(s.prefixes()[1].network, ip("10.0.0.0"));
  EXPECT_EQ(s.prefixes()[1].length, 8);
}

}  // namespace
}  // namespace sipedge::policy
