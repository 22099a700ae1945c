// RFC 3261 §16.6 request forwarding and RFC 3581 §4: the bytes that leave the proxy.
#include <cstring>

#include "proxy_test_support.h"

namespace sipedge::proxy::testing {
namespace {

std::string replace(std::string s, std::string_view from, std::string_view to) {
  size_t at = s.find(from);
  EXPECT_NE(at, std::string::npos) << from;
  if (at != std::string::npos) s.replace(at, from.size(), to);
  return s;
}

std::string our_via(const RequestPlan& plan, std::string_view transport = "UDP",
                    std::string_view sent_by = "192.0.2.10:5060") {
  return "Via: SIP/2.0/" + std::string(transport) + " " + std::string(sent_by) +
         ";branch=" + std::string(plan.branch()) + ";rport\r\n";
}

// The SIPp INVITE as it must leave: R-URI as received (R1), our Via on top, the client's Via
// with rport/received, Max-Forwards 69, every other byte as received.
std::string expected_sipp_invite(const RequestPlan& plan, std::string_view extra_after_via = "") {
  return "INVITE sip:service@198.51.100.20:5060 SIP/2.0\r\n" + our_via(plan) +
         std::string(extra_after_via) +
         "Via: SIP/2.0/UDP "
         "203.0.113.5:5061;branch=z9hG4bK-4711-1-0;rport=5061;received=203.0.113.5\r\n"
         "From: sipp <sip:sipp@203.0.113.5:5061>;tag=4711SIPpTag001\r\n"
         "To: service <sip:service@198.51.100.20:5060>\r\n"
         "Call-ID: 1-4711@203.0.113.5\r\n"
         "CSeq: 1 INVITE\r\n"
         "Contact: sip:sipp@203.0.113.5:5061\r\n"
         "Max-Forwards: 69\r\n"
         "Subject: Performance Test\r\n"
         "Content-Type: application/sdp\r\n"
         "Content-Length: " +
         std::to_string(kSdp.size()) + "\r\n\r\n" + std::string(kSdp);
}

TEST(Rfc3261_16_6, SippInviteLeavesWithOurViaAndEverythingElseIntact) {
  auto r = receive(sipp_invite());
  RequestPlan plan;
  std::string sent = forward(*r, udp_from("203.0.113.5:5061"), edge_identity(), udp_out(), &plan);
  EXPECT_EQ(sent, expected_sipp_invite(plan));
}

// R1: an odd but valid Request-URI (escapes, case, parameters) goes out byte for byte.
TEST(R1, RequestUriIsForwardedByteForByte) {
  const std::string clean = "SIP:%61lice;day=tue@Atlanta.Example.COM:5060;user=phone;Transport=udp";
  auto r = receive(with_body(sipp_invite_head(clean), kSdp));
  std::string sent = forward(*r, udp_from("203.0.113.5:5061"), edge_identity(), udp_out());
  EXPECT_EQ(sent.substr(0, sent.find("\r\n")), "INVITE " + clean + " SIP/2.0");
}

TEST(Rfc3261_16_6, MaxForwardsAbsentIsAddedWith70) {
  auto r = receive(replace(sipp_invite(), "Max-Forwards: 70\r\n", ""));
  RequestPlan plan;
  std::string sent = forward(*r, udp_from("203.0.113.5:5061"), edge_identity(), udp_out(), &plan);
  std::string want =
      replace(expected_sipp_invite(plan, "Max-Forwards: 70\r\n"), "Max-Forwards: 69\r\n", "");
  EXPECT_EQ(sent, want);
}

TEST(Rfc3261_16_6, CompactMaxForwardsKeepsItsNameAndIsDecremented) {
  auto r = receive(replace(sipp_invite(), "Max-Forwards: 70", "max-forwards:   12"));
  std::string sent = forward(*r, udp_from("203.0.113.5:5061"), edge_identity(), udp_out());
  EXPECT_NE(sent.find("\r\nmax-forwards:   11\r\n"), std::string::npos) << sent;
}

TEST(Rfc3581_4, NoRportAndSameAddressAddsNothing) {
  auto r =
      receive(replace(sipp_invite(), "branch=z9hG4bK-4711-1-0;rport", "branch=z9hG4bK-4711-1-0"));
  RequestPlan plan;
  std::string sent = forward(*r, udp_from("203.0.113.5:5061"), edge_identity(), udp_out(), &plan);
  EXPECT_NE(sent.find("\r\nVia: SIP/2.0/UDP 203.0.113.5:5061;branch=z9hG4bK-4711-1-0\r\n"),
            std::string::npos)
      << sent;
}

TEST(Rfc3261_18_2_1, NoRportAndOtherSourceAddsReceivedOnly) {
  auto r =
      receive(replace(sipp_invite(), "branch=z9hG4bK-4711-1-0;rport", "branch=z9hG4bK-4711-1-0"));
  std::string sent = forward(*r, udp_from("198.18.0.7:40000"), edge_identity(), udp_out());
  EXPECT_NE(
      sent.find(
          "\r\nVia: SIP/2.0/UDP 203.0.113.5:5061;branch=z9hG4bK-4711-1-0;received=198.18.0.7\r\n"),
      std::string::npos)
      << sent;
}

// A client behind NAT: rport (first, as Linphone writes it) gets the port the NAT chose.
TEST(Rfc3581_4, BareRportBehindNatGetsSourcePortAndReceived) {
  auto r = receive(
      replace(sipp_invite(), "branch=z9hG4bK-4711-1-0;rport", "rport;branch=z9hG4bK-4711-1-0"));
  std::string sent = forward(*r, udp_from("198.18.0.7:40000"), edge_identity(), udp_out());
  EXPECT_NE(
      sent.find("\r\nVia: SIP/2.0/UDP "
                "203.0.113.5:5061;rport=40000;branch=z9hG4bK-4711-1-0;received=198.18.0.7\r\n"),
      std::string::npos)
      << sent;
}

TEST(Rfc3581_4, SpoofedReceivedIsReplaced) {
  auto r = receive(replace(sipp_invite(), "branch=z9hG4bK-4711-1-0;rport",
                           "branch=z9hG4bK-4711-1-0;received=10.9.9.9;rport"));
  std::string sent = forward(*r, udp_from("198.18.0.7:40000"), edge_identity(), udp_out());
  EXPECT_NE(
      sent.find("\r\nVia: SIP/2.0/UDP "
                "203.0.113.5:5061;branch=z9hG4bK-4711-1-0;rport=40000;received=198.18.0.7\r\n"),
      std::string::npos)
      << sent;
  EXPECT_EQ(sent.find("10.9.9.9"), std::string::npos);
}

TEST(Rfc5118_4_5, Ipv6SentByWithBracketsGetsUnbracketedReceived) {
  auto r = receive(replace(sipp_invite(),
                           "Via: SIP/2.0/UDP 203.0.113.5:5061;branch=z9hG4bK-4711-1-0;rport",
                           "Via: SIP/2.0/UDP [2001:db8::5]:5061;branch=z9hG4bK-4711-1-0;rport"));
  Inbound in = udp_from("[2001:db8::7]:41000");
  in.local = ep("[2001:db8::10]:5060");
  ForwardOptions opts = udp_out();
  opts.out_local = ep("[2001:db8::10]:5060");
  RequestPlan plan;
  std::string sent = forward(*r, in, edge_identity(), opts, &plan);
  EXPECT_NE(sent.find("\r\n" + our_via(plan, "UDP", "[2001:db8::10]:5060")), std::string::npos)
      << sent;
  EXPECT_NE(
      sent.find("\r\nVia: SIP/2.0/UDP "
                "[2001:db8::5]:5061;branch=z9hG4bK-4711-1-0;rport=41000;received=2001:db8::7\r\n"),
      std::string::npos)
      << sent;
}

TEST(Rfc3261_16_6, RecordRouteOnUdpIsPlainWithLr) {
  auto r = receive(sipp_invite());
  ForwardOptions opts = udp_out();
  opts.record_route = true;
  RequestPlan plan;
  std::string sent = forward(*r, udp_from("203.0.113.5:5061"), edge_identity(), opts, &plan);
  EXPECT_EQ(sent, expected_sipp_invite(plan, "Record-Route: <sip:192.0.2.10:5060;lr>\r\n"));
}

TEST(Rfc3261_16_6, RecordRouteOnTcpCarriesTransportTcp) {
  auto r = receive(sipp_invite());
  ForwardOptions opts = udp_out();
  opts.out_transport = resolve::Transport::kTcp;
  opts.record_route = true;
  opts.record_route_transport = resolve::Transport::kTcp;
  RequestPlan plan;
  std::string sent = forward(*r, udp_from("203.0.113.5:5061"), edge_identity(), opts, &plan);
  std::string want =
      expected_sipp_invite(plan, "Record-Route: <sip:192.0.2.10:5060;transport=tcp;lr>\r\n");
  want = replace(want, "Via: SIP/2.0/UDP 192.0.2.10", "Via: SIP/2.0/TCP 192.0.2.10");
  EXPECT_EQ(sent, want);
}

TEST(R7, RecordRouteOfASipsRequestIsSips) {
  auto r = receive(with_body(sipp_invite_head("sips:bob@biloxi.example.com"), kSdp));
  ForwardOptions opts = udp_out();
  opts.out_transport = resolve::Transport::kTls;
  opts.out_local = ep("192.0.2.10:5061");
  opts.record_route = true;
  opts.record_route_scheme = "sips";
  opts.record_route_local = ep("192.0.2.10:5061");
  opts.record_route_transport = resolve::Transport::kTls;
  RequestPlan plan;
  std::string sent = forward(*r, udp_from("203.0.113.5:5061"), edge_identity(), opts, &plan);
  EXPECT_NE(sent.find("SIP/2.0\r\n" + our_via(plan, "TLS", "192.0.2.10:5061") +
                      "Record-Route: <sips:192.0.2.10:5061;lr>\r\n"),
            std::string::npos)
      << sent;
}

TEST(Rfc5658, TransportChangeRecordRoutesTwiceOutboundSideOnTop) {
  auto r = receive(sipp_invite());
  ForwardOptions opts = udp_out();
  opts.out_transport = resolve::Transport::kTls;
  opts.out_local = ep("192.0.2.10:5061");
  opts.record_route = true;
  opts.record_route_local = ep("192.0.2.10:5060");
  opts.record_route_transport = resolve::Transport::kUdp;
  RequestPlan plan;
  std::string sent = forward(*r, udp_from("203.0.113.5:5061"), edge_identity(), opts, &plan);
  EXPECT_NE(sent.find("SIP/2.0\r\n" + our_via(plan, "TLS", "192.0.2.10:5061") +
                      "Record-Route: <sip:192.0.2.10:5061;transport=tls;lr>\r\n"
                      "Record-Route: <sip:192.0.2.10:5060;lr>\r\n"),
            std::string::npos)
      << sent;
}

TEST(Rfc5658, SameTransportAndAddressRecordRoutesOnce) {
  auto r = receive(sipp_invite());
  ForwardOptions opts = udp_out();
  opts.record_route = true;
  std::string sent = forward(*r, udp_from("203.0.113.5:5061"), edge_identity(), opts);
  size_t first = sent.find("Record-Route:");
  ASSERT_NE(first, std::string::npos) << sent;
  EXPECT_EQ(sent.find("Record-Route:", first + 1), std::string::npos) << sent;
}

TEST(Rfc3261_16_6, RecordRouteOnIpv6IsBracketed) {
  auto r = receive(sipp_invite());
  ForwardOptions opts = udp_out();
  opts.record_route = true;
  opts.record_route_local = ep("[2001:db8::10]:5060");
  std::string sent = forward(*r, udp_from("203.0.113.5:5061"), edge_identity(), opts);
  EXPECT_NE(sent.find("\r\nRecord-Route: <sip:[2001:db8::10]:5060;lr>\r\n"), std::string::npos)
      << sent;
}

// UDP allows a message without Content-Length; TCP cannot frame one, so it is added.
TEST(Rfc3261_18_3, ContentLengthIsAddedWhenAbsent) {
  std::string raw = crlf(sipp_invite_head() + "\n") + std::string(kSdp);
  auto r = receive(raw);
  ASSERT_FALSE(r->msg().has_content_length);
  RequestPlan plan;
  std::string sent = forward(*r, udp_from("203.0.113.5:5061"), edge_identity(), udp_out(), &plan);
  EXPECT_EQ(sent, expected_sipp_invite(plan));
}

// Octets past Content-Length in a datagram are not part of the message (§18.3).
TEST(Rfc3261_18_3, OctetsPastContentLengthAreNotForwarded) {
  auto r = receive(sipp_invite() + "garbage after the body");
  RequestPlan plan;
  std::string sent = forward(*r, udp_from("203.0.113.5:5061"), edge_identity(), udp_out(), &plan);
  EXPECT_EQ(sent, expected_sipp_invite(plan));
}

TEST(Rfc3261_16_6, EveryTooSmallOutputIsAnErrorAndNothingIsWrittenPastIt) {
  auto r = receive(sipp_invite());
  const Inbound in = udp_from("203.0.113.5:5061");
  ForwardOptions opts = udp_out();
  opts.record_route = true;
  RequestPlan plan = plan_request(r->msg(), in, edge_identity());
  std::vector<char> full(4096);
  auto n = build_forwarded_request(r->msg(), r->raw(), plan, in, opts, full);
  ASSERT_TRUE(n.has_value());
  for (size_t size = 0; size < *n; ++size) {
    std::vector<char> buf(size + 16, '#');
    auto got = build_forwarded_request(r->msg(), r->raw(), plan, in, opts,
                                       std::span<char>(buf.data(), size));
    ASSERT_FALSE(got.has_value()) << size;
    EXPECT_EQ(got.error().code, sip::ParseErrorCode::kTooLarge);
    EXPECT_EQ(std::string(buf.data() + size, 16), std::string(16, '#')) << size;
  }
  std::vector<char> exact(*n);
  EXPECT_TRUE(build_forwarded_request(r->msg(), r->raw(), plan, in, opts, exact).has_value());
}

TEST(Rfc3261_16_6, PlanThatIsNotForwardIsRefused) {
  auto r = receive(replace(sipp_invite(), "Max-Forwards: 70", "Max-Forwards: 0"));
  const Inbound in = udp_from("203.0.113.5:5061");
  RequestPlan plan = plan_request(r->msg(), in, edge_identity());
  std::vector<char> out(4096);
  EXPECT_FALSE(build_forwarded_request(r->msg(), r->raw(), plan, in, udp_out(), out).has_value());
}

TEST(Rfc3261_16_6, MessageThatDoesNotViewTheBufferIsRefused) {
  auto r = receive(sipp_invite());
  const Inbound in = udp_from("203.0.113.5:5061");
  RequestPlan plan = plan_request(r->msg(), in, edge_identity());
  std::string copy(r->raw());
  std::vector<char> out(4096);
  EXPECT_FALSE(build_forwarded_request(r->msg(), copy, plan, in, udp_out(), out).has_value());
}

// A multi-value top Via row (a client that folds its Vias) keeps the other values.
TEST(Rfc3581_4, OnlyTheTopViaValueOfAMultiValueRowIsRewritten) {
  std::string raw =
      replace(sipp_invite(), "branch=z9hG4bK-4711-1-0;rport\r\n",
              "branch=z9hG4bK-4711-1-0;rport , SIP/2.0/UDP 10.0.0.1;branch=z9hG4bKold\r\n");
  auto r = receive(raw);
  std::string sent = forward(*r, udp_from("198.18.0.7:40000"), edge_identity(), udp_out());
  EXPECT_NE(sent.find("\r\nVia: SIP/2.0/UDP 203.0.113.5:5061;branch=z9hG4bK-4711-1-0;rport=40000;"
                      "received=198.18.0.7, SIP/2.0/UDP 10.0.0.1;branch=z9hG4bKold\r\n"),
            std::string::npos)
      << sent;
}

}  // namespace
}  // namespace sipedge::proxy::testing
