// A stateless proxy keeps no transactions, so a forged response carrying our Via on top would
// be forwarded to whatever the Via below names: a reflector. With the branch secret set, the
// transaction half of our branch is a keyed hash of the client's branch and sent-by, which the
// response repeats in the Via below ours, so only responses to requests we forwarded pass.
#include "proxy_test_support.h"

namespace sipedge::proxy::testing {
namespace {

class ResponseOrigin : public ::testing::Test {
 protected:
  void SetUp() override { set_branch_secret(0x0123456789abcdefULL, 0xfedcba9876543210ULL); }
  void TearDown() override { clear_branch_secret(); }
};

// The response a UAS sends back for a request we forwarded: its Via rows as forwarded.
std::string response_to(const std::string& forwarded) {
  size_t first_via = forwarded.find("\r\nVia: ");
  size_t end = forwarded.find("\r\nMax-Forwards");
  EXPECT_NE(first_via, std::string::npos);
  EXPECT_NE(end, std::string::npos);
  std::string vias = forwarded.substr(first_via + 2, end - first_via - 2);
  return crlf("SIP/2.0 200 OK\n") + vias +
         crlf(
             "\nFrom: sipp <sip:sipp@203.0.113.5:5061>;tag=4711SIPpTag001\n"
             "To: service <sip:service@198.51.100.20:5060>;tag=uas1\n"
             "Call-ID: 1-4711@203.0.113.5\n"
             "CSeq: 1 INVITE\n"
             "Content-Length: 0\n\n");
}

TEST_F(ResponseOrigin, ResponseToAForwardedRequestIsRouted) {
  auto req = receive(sipp_invite());
  std::string fwd = forward(*req, udp_from("203.0.113.5:5061"), edge_identity(), udp_out());
  auto resp = receive(response_to(fwd));
  ResponseRoute r = route_response(resp->msg(), edge_identity());
  EXPECT_EQ(r.kind, ResponseRoute::Kind::kForward) << r.drop_reason << "\n" << response_to(fwd);
}

TEST_F(ResponseOrigin, ForgedResponseWithOurAddressIsDropped) {
  auto req = receive(sipp_invite());
  std::string fwd = forward(*req, udp_from("203.0.113.5:5061"), edge_identity(), udp_out());
  std::string forged = response_to(fwd);
  // Same top Via (ours, copied from an earlier response), another victim below it.
  size_t at = forged.find("Via: SIP/2.0/UDP 203.0.113.5:5061;branch=z9hG4bK-4711-1-0");
  ASSERT_NE(at, std::string::npos) << forged;
  forged.replace(at, 58, "Via: SIP/2.0/UDP 192.0.2.99:5060;branch=z9hG4bK-victim-00001");
  auto resp = receive(forged);
  ResponseRoute r = route_response(resp->msg(), edge_identity());
  EXPECT_EQ(r.kind, ResponseRoute::Kind::kDrop);
}

TEST_F(ResponseOrigin, WithoutASecretNothingIsChecked) {
  clear_branch_secret();
  sip::Via ours = *sip::parse_via(
      "SIP/2.0/UDP 198.51.100.1:5060;branch=z9hG4bK0000000000000000.0000000000000000");
  sip::Via next = *sip::parse_via("SIP/2.0/UDP 192.0.2.99:5060;branch=z9hG4bK-x");
  EXPECT_TRUE(response_answers_our_branch(ours, next));
  set_branch_secret(1, 2);
  EXPECT_FALSE(response_answers_our_branch(ours, next));
}

}  // namespace
}  // namespace sipedge::proxy::testing
