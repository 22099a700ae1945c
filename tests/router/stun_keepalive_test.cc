#include "router/stun_keepalive.h"

#include <gtest/gtest.h>

#include <string>

namespace sipedge::router {
namespace {

// RFC 5769 §2.1's transaction id, in a Binding request without attributes (a keep-alive).
std::string binding_request() {
  const unsigned char b[] = {0x00, 0x01, 0x00, 0x00, 0x21, 0x12, 0xa4, 0x42, 0xb7, 0xe7,
                             0xa7, 0x01, 0xbc, 0x34, 0xd6, 0x86, 0xfa, 0x87, 0xdf, 0xae};
  return std::string(reinterpret_cast<const char*>(b), sizeof(b));
}

TEST(Rfc5626_4_4_1, StunBindingRequestIsAKeepalive) {
  EXPECT_TRUE(is_stun_binding_request(binding_request()));
  std::string wrong_cookie = binding_request();
  wrong_cookie[4] = 0x22;
  EXPECT_FALSE(is_stun_binding_request(wrong_cookie));
  std::string wrong_length = binding_request() + std::string(4, '\0');
  EXPECT_FALSE(is_stun_binding_request(wrong_length));
  EXPECT_FALSE(is_stun_binding_request("OPTIONS sip:a@b SIP/2.0\r\n"));
}

// RFC 5769 §2.2 gives the XOR-MAPPED-ADDRESS of 192.0.2.1:32853 for this transaction id.
TEST(Rfc5389_15_2, ResponseCarriesXorMappedAddressV4) {
  net::Endpoint src;
  ASSERT_TRUE(net::parse_endpoint("192.0.2.1:32853", &src));
  char out[64];
  size_t n = write_stun_binding_response(binding_request(), src, std::span<char>(out, sizeof(out)));
  ASSERT_EQ(n, 32u);
  const unsigned char want[] = {0x01, 0x01, 0x00, 0x0c, 0x21, 0x12, 0xa4, 0x42, 0xb7, 0xe7, 0xa7,
                                0x01, 0xbc, 0x34, 0xd6, 0x86, 0xfa, 0x87, 0xdf, 0xae, 0x00, 0x20,
                                0x00, 0x08, 0x00, 0x01, 0xa1, 0x47, 0xe1, 0x12, 0xa6, 0x43};
  EXPECT_EQ(std::string(out, n), std::string(reinterpret_cast<const char*>(want), sizeof(want)));
}

// RFC 5769 §2.3: 2001:db8:1234:5678:11:2233:4455:6677 port 32853.
TEST(Rfc5389_15_2, ResponseCarriesXorMappedAddressV6) {
  net::Endpoint src;
  ASSERT_TRUE(net::parse_endpoint("[2001:db8:1234:5678:11:2233:4455:6677]:32853", &src));
  char out[64];
  size_t n = write_stun_binding_response(binding_request(), src, std::span<char>(out, sizeof(out)));
  ASSERT_EQ(n, 44u);
  const unsigned char want_attr[] = {0x00, 0x20, 0x00, 0x14, 0x00, 0x02, 0xa1, 0x47,
                                     0x01, 0x13, 0xa9, 0xfa, 0xa5, 0xd3, 0xf1, 0x79,
                                     0xbc, 0x25, 0xf4, 0xb5, 0xbe, 0xd2, 0xb9, 0xd9};
  EXPECT_EQ(std::string(out + 20, n - 20),
            std::string(reinterpret_cast<const char*>(want_attr), sizeof(want_attr)));
  EXPECT_EQ(write_stun_binding_response(binding_request(), src, std::span<char>(out, 40)), 0u);
}

}  // namespace
}  // namespace sipedge::router
