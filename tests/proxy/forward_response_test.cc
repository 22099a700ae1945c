// RFC 3261 §16.7 (steps 3, 9) and §18.2.2 with RFC 3581 §4: responses go back by the Via below
// ours, and ours is removed.
#include "proxy_test_support.h"

namespace sipedge::proxy::testing {
namespace {

constexpr std::string_view kOurs =
    "Via: SIP/2.0/UDP "
    "192.0.2.10:5060;branch=z9hG4bKd3f1a0c97e6b5a21.0c1d2e3f4a5b6c7d;rport=5060;received=192.0.2."
    "10\n";

// Our Via (sealed for the Via below it) on top of `via_row` ("Via: VALUE\n").
std::string below_ours(std::string_view via_row) {
  std::string_view value = via_row.substr(5, via_row.size() - 6);
  return "Via: " + sealed_via(value) + "\n" + std::string(via_row);
}

// The 180 SIPp's uas sends back for the INVITE, after us: our Via on top.
std::string ringing(std::string_view vias) {
  return crlf(std::string(vias) +
              "From: sipp <sip:sipp@203.0.113.5:5061>;tag=4711SIPpTag001\n"
              "To: service <sip:service@198.51.100.20:5060>;tag=4712SIPpTag012\n"
              "Call-ID: 1-4711@203.0.113.5\n"
              "CSeq: 1 INVITE\n"
              "Contact: <sip:198.51.100.20:5060;transport=UDP>\n"
              "Content-Length: 0\n\n")
      .insert(0, "SIP/2.0 180 Ringing\r\n");
}

std::string tail() {
  return crlf(
      "From: sipp <sip:sipp@203.0.113.5:5061>;tag=4711SIPpTag001\n"
      "To: service <sip:service@198.51.100.20:5060>;tag=4712SIPpTag012\n"
      "Call-ID: 1-4711@203.0.113.5\n"
      "CSeq: 1 INVITE\n"
      "Contact: <sip:198.51.100.20:5060;transport=UDP>\n"
      "Content-Length: 0\n\n");
}

std::string forwarded(const Received& r) {
  std::vector<char> out(4096);
  auto n = build_forwarded_response(r.msg(), r.raw(), out);
  EXPECT_TRUE(n.has_value()) << (n ? "" : n.error().to_string());
  return n ? std::string(out.data(), *n) : std::string();
}

TEST(Rfc3581_4, ResponseGoesToReceivedAndRport) {
  auto r = receive(ringing(
      below_ours("Via: SIP/2.0/UDP "
                 "203.0.113.5:5061;branch=z9hG4bK-4711-1-0;rport=40000;received=198.18.0.7\n")));
  ResponseRoute route = route_response(r->msg(), edge_identity());
  ASSERT_EQ(route.kind, ResponseRoute::Kind::kForward) << route.drop_reason;
  EXPECT_EQ(route.transport, resolve::Transport::kUdp);
  EXPECT_FALSE(route.needs_dns);
  EXPECT_EQ(route.destination, ep("198.18.0.7:40000"));
  EXPECT_EQ(forwarded(*r),
            "SIP/2.0 180 Ringing\r\n"
            "Via: SIP/2.0/UDP "
            "203.0.113.5:5061;branch=z9hG4bK-4711-1-0;rport=40000;received=198.18.0.7\r\n" +
                tail());
}

TEST(Rfc3261_18_2_2, ReceivedWithoutRportUsesTheSentByPort) {
  auto r = receive(ringing(below_ours(
      "Via: SIP/2.0/UDP 203.0.113.5:5061;branch=z9hG4bK-4711-1-0;received=198.18.0.7\n")));
  ResponseRoute route = route_response(r->msg(), edge_identity());
  ASSERT_EQ(route.kind, ResponseRoute::Kind::kForward);
  EXPECT_EQ(route.destination, ep("198.18.0.7:5061"));
}

TEST(Rfc3261_18_2_2, NumericSentByWithoutPortUsesTheTransportDefault) {
  auto r = receive(ringing(below_ours("Via: SIP/2.0/TCP [2001:db8::5];branch=z9hG4bK77\n")));
  ResponseRoute route = route_response(r->msg(), edge_identity());
  ASSERT_EQ(route.kind, ResponseRoute::Kind::kForward);
  EXPECT_EQ(route.transport, resolve::Transport::kTcp);
  EXPECT_EQ(route.destination, ep("[2001:db8::5]:5060"));
}

TEST(Rfc3261_18_2_2, SentByNameWithoutReceivedNeedsDns) {
  auto r = receive(
      ringing(below_ours("Via: SIP/2.0/TLS client.atlanta.example.com;branch=z9hG4bK77\n")));
  ResponseRoute route = route_response(r->msg(), edge_identity());
  ASSERT_EQ(route.kind, ResponseRoute::Kind::kForward);
  EXPECT_TRUE(route.needs_dns);
  EXPECT_EQ(route.host, "client.atlanta.example.com");
  EXPECT_EQ(route.port, 5061);
  EXPECT_EQ(route.transport, resolve::Transport::kTls);
}

TEST(Rfc3261_16_7, MultiValueViaRowLosesOnlyOurValue) {
  const std::string client =
      "SIP/2.0/UDP 203.0.113.5:5061;branch=z9hG4bK-4711-1-0;rport=40000;received=198.18.0.7";
  auto r = receive(ringing("Via: " + sealed_via(client) + ", " + client +
                           "\n"
                           "Via: SIP/2.0/UDP 10.1.1.1;branch=z9hG4bKlower\n"));
  ResponseRoute route = route_response(r->msg(), edge_identity());
  ASSERT_EQ(route.kind, ResponseRoute::Kind::kForward);
  EXPECT_EQ(route.destination, ep("198.18.0.7:40000"));
  EXPECT_EQ(forwarded(*r),
            "SIP/2.0 180 Ringing\r\n"
            "Via: SIP/2.0/UDP "
            "203.0.113.5:5061;branch=z9hG4bK-4711-1-0;rport=40000;received=198.18.0.7\r\n"
            "Via: SIP/2.0/UDP 10.1.1.1;branch=z9hG4bKlower\r\n" +
                tail());
}

TEST(Rfc3261_16_7, ResponseWhoseTopViaIsNotOursIsDropped) {
  auto r = receive(
      ringing("Via: SIP/2.0/UDP "
              "203.0.113.5:5061;branch=z9hG4bK-4711-1-0;rport=40000;received=198.18.0.7\n"));
  ResponseRoute route = route_response(r->msg(), edge_identity());
  EXPECT_EQ(route.kind, ResponseRoute::Kind::kDrop);
  EXPECT_EQ(route.drop_reason, "top Via is not ours");
}

TEST(Rfc3261_16_7, ResponseWithOnlyOurViaIsDropped) {
  auto r = receive(ringing(kOurs));
  EXPECT_EQ(route_response(r->msg(), edge_identity()).kind, ResponseRoute::Kind::kDrop);
}

TEST(Rfc3261_16_7, SctpBelowOursIsDropped) {
  auto r = receive(ringing(below_ours("Via: SIP/2.0/SCTP 203.0.113.5;branch=z9hG4bK77\n")));
  EXPECT_EQ(route_response(r->msg(), edge_identity()).kind, ResponseRoute::Kind::kDrop);
}

TEST(Rfc3261_16_7, ForwardedResponseThatDoesNotFitIsAnError) {
  auto r = receive(ringing(below_ours("Via: SIP/2.0/UDP 203.0.113.5:5061;branch=z9hG4bK-1\n")));
  std::vector<char> full(4096);
  auto n = build_forwarded_response(r->msg(), r->raw(), full);
  ASSERT_TRUE(n.has_value());
  for (size_t size = 0; size < *n; ++size) {
    std::vector<char> buf(size + 8, '#');
    auto got = build_forwarded_response(r->msg(), r->raw(), std::span<char>(buf.data(), size));
    ASSERT_FALSE(got.has_value()) << size;
    EXPECT_EQ(std::string(buf.data() + size, 8), std::string(8, '#'));
  }
}

}  // namespace
}  // namespace sipedge::proxy::testing
