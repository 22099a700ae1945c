#include "net/endpoint.h"

#include <gtest/gtest.h>

namespace sipedge::net {
namespace {

TEST(Endpoint, ParsesIpv4AndBracketedIpv6) {
  Endpoint e;
  ASSERT_TRUE(parse_endpoint("192.0.2.1:5060", &e));
  EXPECT_EQ(e.address.family, 4);
  EXPECT_EQ(e.port, 5060);
  EXPECT_EQ(e.to_string(), "192.0.2.1:5060");
  ASSERT_TRUE(parse_endpoint("[2001:db8::1]:5061", &e));
  EXPECT_EQ(e.address.family, 6);
  EXPECT_EQ(e.to_string(), "[2001:db8::1]:5061");
}

TEST(Endpoint, RefusesWhatIsNotAnAddressAndPort) {
  Endpoint e;
  for (const char* bad :
       {"", "192.0.2.1", "192.0.2.1:0", "192.0.2.1:65536", "2001:db8::1:5060", "[2001:db8::1]",
        "[192.0.2.1]:5060x", "host.example:5060", "1.2.3.4:-1", "[::1]5060", "1.2.3.4: 5060"}) {
    EXPECT_FALSE(parse_endpoint(bad, &e)) << bad;
  }
}

TEST(Endpoint, SockaddrRoundTripAndMappedIpv4) {
  Endpoint e;
  ASSERT_TRUE(parse_endpoint("[2001:db8::7]:5070", &e));
  sockaddr_storage ss;
  endpoint_to_sockaddr(e, &ss);
  Endpoint back;
  ASSERT_TRUE(endpoint_from_sockaddr(reinterpret_cast<sockaddr*>(&ss), &back));
  EXPECT_EQ(back, e);
  Endpoint mapped;
  ASSERT_TRUE(parse_endpoint("[::ffff:192.0.2.9]:5060", &mapped));
  endpoint_to_sockaddr(mapped, &ss);
  ASSERT_TRUE(endpoint_from_sockaddr(reinterpret_cast<sockaddr*>(&ss), &back));
  EXPECT_EQ(back.address.family, 4);
  EXPECT_EQ(back.to_string(), "192.0.2.9:5060");
}

}  // namespace
}  // namespace sipedge::net
