// RFC 3261 §16.4 route information preprocessing: our own Route values removed (loose
// routing), strict-router compatibility, and the URI the request is routed on.
#include "proxy_test_support.h"

namespace sipedge::proxy::testing {
namespace {

using Kind = RequestPlan::Kind;

// An in-dialog BYE from Linphone whose route set (from our Record-Route and a second proxy's)
// is in `routes`.
std::string linphone_bye(std::string_view request_uri, std::string_view routes) {
  return crlf("BYE " + std::string(request_uri) +
              " SIP/2.0\n"
              "Via: SIP/2.0/UDP 203.0.113.7:5060;branch=z9hG4bK.Xm4q2Kp9a;rport\n"
              "From: <sip:alice@atlanta.example.com>;tag=Vr9N~q3kB\n"
              "To: <sip:bob@biloxi.example.com>;tag=as5f1e2a03\n"
              "Call-ID: 3Kd9fS~x1t\n"
              "CSeq: 21 BYE\n" +
              std::string(routes) +
              "Max-Forwards: 70\n"
              "User-Agent: Linphone Desktop/5.2.0 (Debian GNU/Linux 12) LinphoneSDK/5.3.0\n"
              "Content-Length: 0\n\n");
}

struct Forwarded {
  std::unique_ptr<Received> received;  // the plan's URIs view it
  RequestPlan plan;
  std::string bytes;
};

Forwarded forward_bye(const std::string& raw) {
  Forwarded f;
  f.received = receive(raw);
  f.bytes = forward(*f.received, udp_from("203.0.113.7:5060"), edge_identity(), udp_out(), &f.plan);
  return f;
}

// The forwarded message without our Via row (whose branch the test cannot spell).
std::string without_our_via(const std::string& bytes) {
  size_t start = bytes.find("\r\n") + 2;
  size_t end = bytes.find("\r\n", start) + 2;
  EXPECT_EQ(bytes.substr(start, 30), "Via: SIP/2.0/UDP 192.0.2.10:50");
  return bytes.substr(0, start) + bytes.substr(end);
}

constexpr std::string_view kForwardedTail =
    "From: <sip:alice@atlanta.example.com>;tag=Vr9N~q3kB\r\n"
    "To: <sip:bob@biloxi.example.com>;tag=as5f1e2a03\r\n"
    "Call-ID: 3Kd9fS~x1t\r\n"
    "CSeq: 21 BYE\r\n";

constexpr std::string_view kForwardedEnd =
    "Max-Forwards: 69\r\n"
    "User-Agent: Linphone Desktop/5.2.0 (Debian GNU/Linux 12) LinphoneSDK/5.3.0\r\n"
    "Content-Length: 0\r\n\r\n";

std::string expected(std::string_view start_line, std::string_view routes) {
  return std::string(start_line) + "\r\n" +
         "Via: SIP/2.0/UDP "
         "203.0.113.7:5060;branch=z9hG4bK.Xm4q2Kp9a;rport=5060;received=203.0.113.7\r\n" +
         std::string(kForwardedTail) + std::string(routes) + std::string(kForwardedEnd);
}

TEST(Rfc3261_16_4, OwnRouteWithPortIsRemovedAndTheNextRouteIsFollowed) {
  Forwarded f = forward_bye(
      linphone_bye("sip:bob@192.0.2.77:5060",
                   "Route: <sip:192.0.2.10:5060;lr>, <sip:p2.biloxi.example.com;lr>\n"));
  EXPECT_EQ(f.plan.pop_own_routes, 1);
  EXPECT_EQ(f.plan.route_on.text, "sip:p2.biloxi.example.com;lr");
  EXPECT_EQ(without_our_via(f.bytes), expected("BYE sip:bob@192.0.2.77:5060 SIP/2.0",
                                               "Route: <sip:p2.biloxi.example.com;lr>\r\n"));
}

TEST(Rfc3261_16_4, OwnRouteWithoutPortMeansTheDefaultPort) {
  Forwarded f = forward_bye(
      linphone_bye("sip:bob@192.0.2.77:5060",
                   "Route: <sip:192.0.2.10;lr>\nRoute: <sip:p2.biloxi.example.com;lr>\n"));
  EXPECT_EQ(f.plan.pop_own_routes, 1);
  EXPECT_EQ(without_our_via(f.bytes), expected("BYE sip:bob@192.0.2.77:5060 SIP/2.0",
                                               "Route: <sip:p2.biloxi.example.com;lr>\r\n"));
}

TEST(Rfc3261_16_4, OwnRouteByLocalNameIsRemoved) {
  Forwarded f = forward_bye(
      linphone_bye("sip:bob@192.0.2.77:5060",
                   "Route: <sip:EDGE.example.net;lr>\nRoute: <sip:p2.biloxi.example.com;lr>\n"));
  EXPECT_EQ(f.plan.pop_own_routes, 1);
  EXPECT_EQ(f.plan.route_on.text, "sip:p2.biloxi.example.com;lr");
}

// Double Record-Route (transport change: TCP in, UDP out) leaves two values of ours.
TEST(Rfc3261_16_4, BothOfOurDoubleRecordRouteValuesAreRemoved) {
  Forwarded f = forward_bye(
      linphone_bye("sip:bob@192.0.2.77:5060",
                   "Route: <sip:192.0.2.10:5060;transport=tcp;lr>,<sip:[2001:db8::10];lr>\n"
                   "Route: <sip:p2.biloxi.example.com;lr>\n"));
  EXPECT_EQ(f.plan.pop_own_routes, 2);
  EXPECT_EQ(without_our_via(f.bytes), expected("BYE sip:bob@192.0.2.77:5060 SIP/2.0",
                                               "Route: <sip:p2.biloxi.example.com;lr>\r\n"));
}

TEST(Rfc3261_16_4, OurAddressOnAnotherPortIsNotOurs) {
  Forwarded f =
      forward_bye(linphone_bye("sip:bob@192.0.2.77:5060", "Route: <sip:192.0.2.10:5070;lr>\n"));
  EXPECT_EQ(f.plan.pop_own_routes, 0);
  EXPECT_EQ(f.plan.route_on.text, "sip:192.0.2.10:5070;lr");
  EXPECT_EQ(without_our_via(f.bytes),
            expected("BYE sip:bob@192.0.2.77:5060 SIP/2.0", "Route: <sip:192.0.2.10:5070;lr>\r\n"));
}

TEST(Rfc3261_16_4, AForeignRouteBeforeOursKeepsBoth) {
  Forwarded f = forward_bye(linphone_bye(
      "sip:bob@192.0.2.77:5060", "Route: <sip:p1.atlanta.example.com;lr>, <sip:192.0.2.10;lr>\n"));
  EXPECT_EQ(f.plan.pop_own_routes, 0);
  EXPECT_EQ(f.plan.route_on.text, "sip:p1.atlanta.example.com;lr");
  EXPECT_EQ(without_our_via(f.bytes),
            expected("BYE sip:bob@192.0.2.77:5060 SIP/2.0",
                     "Route: <sip:p1.atlanta.example.com;lr>, <sip:192.0.2.10;lr>\r\n"));
}

// The previous hop was a strict router: it put our Record-Route URI into the Request-URI and
// the remote target at the end of the Route set.
TEST(Rfc3261_16_4, StrictRouterFixupRestoresTheRequestUriFromTheLastRoute) {
  Forwarded f = forward_bye(linphone_bye(
      "sip:192.0.2.10;lr", "Route: <sip:p3.biloxi.example.com;lr>, <sip:bob@192.0.2.77:5060>\n"));
  EXPECT_TRUE(f.plan.strict_router_fixup);
  EXPECT_EQ(f.plan.request_uri.text, "sip:bob@192.0.2.77:5060");
  EXPECT_EQ(f.plan.route_on.text, "sip:p3.biloxi.example.com;lr");
  EXPECT_EQ(without_our_via(f.bytes), expected("BYE sip:bob@192.0.2.77:5060 SIP/2.0",
                                               "Route: <sip:p3.biloxi.example.com;lr>\r\n"));
}

TEST(Rfc3261_16_4, StrictRouterFixupWithOnlyTheTargetLeftRoutesOnIt) {
  Forwarded f =
      forward_bye(linphone_bye("sip:edge.example.net;lr", "Route: <sip:bob@192.0.2.77:5060>\n"));
  EXPECT_TRUE(f.plan.strict_router_fixup);
  EXPECT_EQ(f.plan.route_on.text, "sip:bob@192.0.2.77:5060");
  EXPECT_EQ(without_our_via(f.bytes), expected("BYE sip:bob@192.0.2.77:5060 SIP/2.0", ""));
}

TEST(Rfc3261_16_4, RouteThatIsNotANameAddrGets400) {
  auto r =
      receive(linphone_bye("sip:bob@192.0.2.77:5060", "Route: sip:p2.biloxi.example.com;lr\n"));
  RequestPlan plan = plan_request(r->msg(), udp_from("203.0.113.7:5060"), edge_identity());
  EXPECT_EQ(plan.status, 400);
  EXPECT_EQ(plan.reason, "Bad Request (bad Route)");
}

// §19.1.5: a URI with headers cannot be a Request-URI, so the fixup cannot use it.
TEST(Rfc3261_16_4, StrictRouterFixupOntoAUriWithHeadersGets400) {
  auto r = receive(linphone_bye("sip:192.0.2.10;lr", "Route: <sip:bob@192.0.2.77?Subject=x>\n"));
  RequestPlan plan = plan_request(r->msg(), udp_from("203.0.113.7:5060"), edge_identity());
  EXPECT_EQ(plan.status, 400);
  EXPECT_EQ(plan.reason, "Bad Request (bad Route)");
}

TEST(LocalIdentity, NamesAndAddressesMatchOnTheirPorts) {
  const LocalIdentity me = edge_identity();
  EXPECT_TRUE(me.is_local("192.0.2.10", 0, false));
  EXPECT_TRUE(me.is_local("192.0.2.10", 5061, false));
  EXPECT_TRUE(me.is_local("192.0.2.10", 0, true));  // sips: → 5061, the TLS listener
  EXPECT_FALSE(me.is_local("192.0.2.10", 5062, false));
  EXPECT_TRUE(me.is_local("2001:db8::10", 5060, false));
  EXPECT_FALSE(me.is_local("2001:db8::10", 0, true));  // no TLS listener on v6
  EXPECT_TRUE(me.is_local("Edge.Example.NET.", 0, false));
  EXPECT_FALSE(me.is_local("edge.example.net", 5080, false));
  EXPECT_FALSE(me.is_local("example.net", 0, false));
  EXPECT_FALSE(me.is_local("", 0, false));
}

}  // namespace
}  // namespace sipedge::proxy::testing
