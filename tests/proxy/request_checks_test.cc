// RFC 3261 §16.3 request validation as plan_request applies it.
#include "proxy_test_support.h"

namespace sipedge::proxy::testing {
namespace {

using Kind = RequestPlan::Kind;

// Only for assertions on the plan's scalars and static texts: the message is gone afterwards.
RequestPlan plan_of(const std::string& raw, std::string_view source = "203.0.113.5:5061") {
  auto r = receive(raw);
  return plan_request(r->msg(), udp_from(source), edge_identity());
}

std::string replace(std::string s, std::string_view from, std::string_view to) {
  size_t at = s.find(from);
  EXPECT_NE(at, std::string::npos) << from;
  if (at != std::string::npos) s.replace(at, from.size(), to);
  return s;
}

TEST(Rfc3261_16_3, SippInviteIsForwardedOnItsRequestUri) {
  auto r = receive(sipp_invite());
  RequestPlan plan = plan_request(r->msg(), udp_from("203.0.113.5:5061"), edge_identity());
  ASSERT_EQ(plan.kind, Kind::kForward);
  EXPECT_EQ(plan.route_on.text, "sip:service@198.51.100.20:5060");
  EXPECT_EQ(plan.request_uri.text, "sip:service@198.51.100.20:5060");
  EXPECT_EQ(plan.max_forwards_out, 69);
  EXPECT_FALSE(plan.add_max_forwards);
  EXPECT_FALSE(plan.strict_router_fixup);
  EXPECT_EQ(plan.pop_own_routes, 0);
  EXPECT_TRUE(plan.contact_present);
  EXPECT_FALSE(plan.contact_sips);
  EXPECT_FALSE(plan.request_uri_sips);
  EXPECT_EQ(plan.branch().substr(0, 7), "z9hG4bK");
}

TEST(Rfc3261_16_3, MaxForwardsZeroGets483) {
  RequestPlan plan = plan_of(replace(sipp_invite(), "Max-Forwards: 70", "Max-Forwards: 0"));
  EXPECT_EQ(plan.kind, Kind::kRespond);
  EXPECT_EQ(plan.status, 483);
  EXPECT_EQ(plan.reason, "Too Many Hops");
}

TEST(Rfc3261_16_3, MaxForwardsOneIsForwardedWithZero) {
  RequestPlan plan = plan_of(replace(sipp_invite(), "Max-Forwards: 70", "Max-Forwards: 1"));
  ASSERT_EQ(plan.kind, Kind::kForward);
  EXPECT_EQ(plan.max_forwards_out, 0);
}

TEST(Rfc3261_16_3, MaxForwardsAbsentIsForwardedWith70) {
  RequestPlan plan = plan_of(replace(sipp_invite(), "Max-Forwards: 70\r\n", ""));
  ASSERT_EQ(plan.kind, Kind::kForward);
  EXPECT_TRUE(plan.add_max_forwards);
  EXPECT_EQ(plan.max_forwards_out, 70);
}

TEST(Rfc3261_16_3, MaxForwardsNotANumberGets400NamingIt) {
  RequestPlan plan = plan_of(replace(sipp_invite(), "Max-Forwards: 70", "Max-Forwards: seventy"));
  EXPECT_EQ(plan.status, 400);
  EXPECT_EQ(plan.reason, "Bad Request (bad Max-Forwards)");
  EXPECT_EQ(plan.fault.where, "Max-Forwards");
}

TEST(Rfc3261_16_3, AckWithMaxForwardsZeroIsDroppedNotAnswered) {
  std::string ack = crlf(
      "ACK sip:service@198.51.100.20:5060 SIP/2.0\n"
      "Via: SIP/2.0/UDP 203.0.113.5:5061;branch=z9hG4bK-4711-1-5;rport\n"
      "From: sipp <sip:sipp@203.0.113.5:5061>;tag=4711SIPpTag001\n"
      "To: service <sip:service@198.51.100.20:5060>;tag=as6151ad25\n"
      "Call-ID: 1-4711@203.0.113.5\n"
      "CSeq: 1 ACK\n"
      "Max-Forwards: 0\n"
      "Content-Length: 0\n\n");
  RequestPlan plan = plan_of(ack);
  EXPECT_EQ(plan.kind, Kind::kDrop);
  EXPECT_EQ(plan.status, 483);  // what it would have been told
}

TEST(Rfc3261_16_3, MissingCallIdGets400NamingIt) {
  RequestPlan plan = plan_of(replace(sipp_invite(), "Call-ID: 1-4711@203.0.113.5\r\n", ""));
  EXPECT_EQ(plan.kind, Kind::kRespond);
  EXPECT_EQ(plan.status, 400);
  EXPECT_EQ(plan.reason, "Bad Request (missing Call-ID)");
}

TEST(Rfc3261_16_3, MissingViaGets400NamingIt) {
  RequestPlan plan = plan_of(replace(
      sipp_invite(), "Via: SIP/2.0/UDP 203.0.113.5:5061;branch=z9hG4bK-4711-1-0;rport\r\n", ""));
  EXPECT_EQ(plan.status, 400);
  EXPECT_EQ(plan.reason, "Bad Request (missing Via)");
}

TEST(Rfc3261_16_3, BadTopViaSentByGets400NamingVia) {
  RequestPlan plan =
      plan_of(replace(sipp_invite(), "203.0.113.5:5061;branch", "203.0.113.5:99999;branch"));
  EXPECT_EQ(plan.status, 400);
  EXPECT_EQ(plan.reason, "Bad Request (bad Via)");
  EXPECT_EQ(plan.fault.where, "Via");
  EXPECT_EQ(std::string_view(plan.fault.what), "bad sent-by port");
}

TEST(Rfc3261_16_3, CSeqMethodMismatchGets400) {
  RequestPlan plan = plan_of(replace(sipp_invite(), "CSeq: 1 INVITE", "CSeq: 1 BYE"));
  EXPECT_EQ(plan.status, 400);
  EXPECT_EQ(plan.reason, "Bad Request (CSeq method does not match)");
}

TEST(Rfc3261_16_3, BadFromGets400) {
  RequestPlan plan = plan_of(replace(sipp_invite(), "From: sipp <sip:sipp@203.0.113.5:5061>",
                                     "From: sipp <sip:sipp@203.0.113.5:5061"));
  EXPECT_EQ(plan.status, 400);
  EXPECT_EQ(plan.reason, "Bad Request (bad From)");
}

TEST(Rfc3261_16_3, TelRequestUriGets416) {
  std::string raw = with_body(sipp_invite_head("tel:+1-201-555-0123"), kSdp);
  RequestPlan plan = plan_of(raw);
  EXPECT_EQ(plan.kind, Kind::kRespond);
  EXPECT_EQ(plan.status, 416);
  EXPECT_EQ(plan.reason, "Unsupported URI Scheme");
}

TEST(Rfc3261_16_3, TelRequestUriBehindAForeignRouteIsForwardedOnTheRoute) {
  std::string head =
      sipp_invite_head("tel:+1-201-555-0123") + "Route: <sip:gw.carrier.example.com;lr>\n";
  auto r = receive(with_body(head, kSdp));  // the plan views it
  RequestPlan plan = plan_request(r->msg(), udp_from("203.0.113.5:5061"), edge_identity());
  ASSERT_EQ(plan.kind, Kind::kForward);
  EXPECT_EQ(plan.route_on.text, "sip:gw.carrier.example.com;lr");
  EXPECT_EQ(plan.request_uri.text, "tel:+1-201-555-0123");
}

TEST(Rfc3261_16_3, ProxyRequireGets420ListingTheTags) {
  std::string head = sipp_invite_head() + "Proxy-Require: foo\nProxy-Require: sec-agree, bar\n";
  auto r = receive(with_body(head, kSdp));
  RequestPlan plan = plan_request(r->msg(), udp_from("203.0.113.5:5061"), edge_identity());
  EXPECT_EQ(plan.kind, Kind::kRespond);
  EXPECT_EQ(plan.status, 420);
  EXPECT_EQ(plan.reason, "Bad Extension");
  EXPECT_EQ(plan.unsupported, "foo");
  char line[128];
  auto n = write_unsupported_header(r->msg(), line);
  ASSERT_TRUE(n.has_value());
  EXPECT_EQ(std::string_view(line, *n), "Unsupported: foo, sec-agree, bar\r\n");
}

const char* kOptionsToEdge =
    "OPTIONS sip:edge.example.net SIP/2.0\n"
    "Via: SIP/2.0/UDP 198.51.100.99:5060;branch=z9hG4bK.hc1;rport\n"
    "From: <sip:monitor@198.51.100.99>;tag=hc1\n"
    "To: <sip:edge.example.net>\n"
    "Call-ID: hc-1@198.51.100.99\n"
    "CSeq: 1 OPTIONS\n"
    "Max-Forwards: 70\n"
    "Content-Length: 0\n\n";

TEST(Rfc3261_11, OptionsAddressedToUsGets200) {
  RequestPlan plan = plan_of(crlf(kOptionsToEdge), "198.51.100.99:5060");
  EXPECT_EQ(plan.kind, Kind::kRespond);
  EXPECT_EQ(plan.status, 200);
}

TEST(Rfc3261_11, OptionsAddressedToUsGets200EvenWithMaxForwardsZero) {
  RequestPlan plan = plan_of(replace(crlf(kOptionsToEdge), "Max-Forwards: 70", "Max-Forwards: 0"),
                             "198.51.100.99:5060");
  EXPECT_EQ(plan.status, 200);
}

TEST(Rfc3261_11, OptionsToOurAddressAndPortGets200) {
  RequestPlan plan = plan_of(
      replace(crlf(kOptionsToEdge), "OPTIONS sip:edge.example.net", "OPTIONS sip:192.0.2.10:5060"),
      "198.51.100.99:5060");
  EXPECT_EQ(plan.status, 200);
}

TEST(Rfc3261_16_3, OptionsForSomeoneElseWithMaxForwardsZeroGets483) {
  std::string raw = replace(crlf(kOptionsToEdge), "OPTIONS sip:edge.example.net",
                            "OPTIONS sip:bob@biloxi.example.com");
  raw = replace(raw, "Max-Forwards: 70", "Max-Forwards: 0");
  RequestPlan plan = plan_of(raw, "198.51.100.99:5060");
  EXPECT_EQ(plan.status, 483);
}

TEST(Rfc3261_16_5, InviteAddressedToUsGets404) {
  std::string raw = with_body(sipp_invite_head("sip:alice@edge.example.net"), kSdp);
  RequestPlan plan = plan_of(raw);
  EXPECT_EQ(plan.kind, Kind::kRespond);
  EXPECT_EQ(plan.status, 404);
}

TEST(Rfc3261_16_3, SameAddressOtherPortIsNotUs) {
  std::string raw = with_body(sipp_invite_head("sip:alice@192.0.2.10:5080"), kSdp);
  RequestPlan plan = plan_of(raw);
  EXPECT_EQ(plan.kind, Kind::kForward);
}

// §16.3 item 4: our request comes back to us unchanged (a misconfigured next hop returns it).
TEST(Rfc3261_16_3, RequestThatComesBackUnchangedGets482) {
  auto first = receive(sipp_invite());
  const LocalIdentity me = edge_identity();
  std::string sent = forward(*first, udp_from("203.0.113.5:5061"), me, udp_out());
  // The next hop (198.51.100.20) sends it straight back with its own Via on top.
  std::string back =
      replace(sent, "SIP/2.0\r\n",
              "SIP/2.0\r\nVia: SIP/2.0/UDP 198.51.100.20:5060;branch=z9hG4bK1d2e3f;rport\r\n");
  back = replace(back, "Max-Forwards: 69", "Max-Forwards: 68");
  auto second = receive(back);
  RequestPlan plan = plan_request(second->msg(), udp_from("198.51.100.20:5060"), me);
  EXPECT_EQ(plan.kind, Kind::kRespond);
  EXPECT_EQ(plan.status, 482);
  EXPECT_EQ(plan.reason, "Loop Detected");
}

// §16.3 item 4: a spiral (the Request-URI changed on the way) is forwarded again.
TEST(Rfc3261_16_3, SpiralWithChangedRequestUriIsNotALoop) {
  auto first = receive(sipp_invite());
  const LocalIdentity me = edge_identity();
  std::string sent = forward(*first, udp_from("203.0.113.5:5061"), me, udp_out());
  std::string back = replace(sent, "INVITE sip:service@198.51.100.20:5060 SIP/2.0\r\n",
                             "INVITE sip:service-b@198.51.100.30 SIP/2.0\r\n"
                             "Via: SIP/2.0/UDP 198.51.100.20:5060;branch=z9hG4bK1d2e3f;rport\r\n");
  auto second = receive(back);
  RequestPlan plan = plan_request(second->msg(), udp_from("198.51.100.20:5060"), me);
  EXPECT_EQ(plan.kind, Kind::kForward);
  EXPECT_EQ(plan.route_on.text, "sip:service-b@198.51.100.30");
}

TEST(Rfc3261_16_3, SomeoneElsesViaWithOurBranchIsNotALoop) {
  auto first = receive(sipp_invite());
  const LocalIdentity me = edge_identity();
  RequestPlan plan1;
  std::string sent = forward(*first, udp_from("203.0.113.5:5061"), me, udp_out(), &plan1);
  // Our branch value, but under a sent-by that is not ours.
  std::string back = replace(sent, "192.0.2.10:5060;branch", "192.0.2.99:5060;branch");
  back =
      replace(back, "SIP/2.0\r\n", "SIP/2.0\r\nVia: SIP/2.0/UDP 198.51.100.20;branch=z9hG4bKx\r\n");
  auto second = receive(back);
  EXPECT_EQ(plan_request(second->msg(), udp_from("198.51.100.20:5060"), me).kind, Kind::kForward);
}

TEST(Rfc3261_16_3, ResponseIsNotPlanned) {
  auto r = receive(
      crlf("SIP/2.0 200 OK\nVia: SIP/2.0/UDP 192.0.2.10;branch=z9hG4bKa\nFrom: <sip:a@b>;tag=1\n"
           "To: <sip:c@d>;tag=2\nCall-ID: x\nCSeq: 1 INVITE\nContent-Length: 0\n\n"));
  EXPECT_EQ(plan_request(r->msg(), udp_from("198.51.100.20:5060"), edge_identity()).kind,
            Kind::kDrop);
}

TEST(R6Facts, SipsRequestUriAndContactAreReported) {
  std::string head =
      "INVITE sips:bob@biloxi.example.com SIP/2.0\n"
      "Via: SIP/2.0/TLS [2001:db8::5]:5061;branch=z9hG4bKlinphone.7f3a;rport\n"
      "From: <sips:alice@atlanta.example.com>;tag=8f3a1\n"
      "To: <sips:bob@biloxi.example.com>\n"
      "Call-ID: 5bd7c2a1@2001:db8::5\n"
      "CSeq: 20 INVITE\n"
      "Contact: <sips:alice@[2001:db8::5]:5061;transport=tls>;+sip.instance=\"<urn:uuid:1>\"\n"
      "Max-Forwards: 70\n";
  auto r = receive(with_body(head, kSdp));
  RequestPlan plan = plan_request(r->msg(), udp_from("[2001:db8::5]:5061"), edge_identity());
  ASSERT_EQ(plan.kind, Kind::kForward);
  EXPECT_TRUE(plan.request_uri_sips);
  EXPECT_TRUE(plan.contact_sips);
  EXPECT_FALSE(plan.transport_tls_param);
}

TEST(R5Facts, TransportTlsOnTheRoutedUriIsReported) {
  RequestPlan plan =
      plan_of(with_body(sipp_invite_head("sip:bob@biloxi.example.com;transport=TLS"), kSdp));
  ASSERT_EQ(plan.kind, Kind::kForward);
  EXPECT_TRUE(plan.transport_tls_param);
  EXPECT_FALSE(plan.request_uri_sips);
}

}  // namespace
}  // namespace sipedge::proxy::testing
