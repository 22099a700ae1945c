// A stateless proxy keeps no transactions, so a forged response carrying our Via on top would
// be forwarded to whatever the Via below names: a reflector. Our branch carries a MAC over the
// Via below ours exactly as we forwarded it (received and rport included) and the flow the
// request came on, so only responses to requests we forwarded pass, and only to where the
// request came from.
#include "proxy_test_support.h"

namespace sipedge::proxy::testing {
namespace {

std::string replace(std::string s, std::string_view from, std::string_view to) {
  size_t at = s.find(from);
  EXPECT_NE(at, std::string::npos) << from << "\n" << s;
  if (at != std::string::npos) s.replace(at, from.size(), to);
  return s;
}

std::string trust_hex(const trust::FlowToken& t) {
  char h[16];
  trust::put_hex64(trust::pack(t), h);
  return std::string(h, sizeof(h));
}

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

std::string forwarded_invite(const Inbound& in = udp_from("203.0.113.5:5061"),
                             const std::string& invite = sipp_invite()) {
  auto req = receive(invite);
  return forward(*req, in, edge_identity(), udp_out());
}

ResponseRoute route(const std::string& response, const LocalIdentity& me = edge_identity()) {
  auto resp = receive(response);
  if (!resp) return ResponseRoute{};
  return route_response(resp->msg(), me);
}

TEST(ResponseOrigin, ResponseToAForwardedRequestIsRoutedToItsSource) {
  std::string resp = response_to(forwarded_invite());
  ResponseRoute r = route(resp);
  ASSERT_EQ(r.kind, ResponseRoute::Kind::kForward) << r.drop_reason << "\n" << resp;
  EXPECT_EQ(r.destination, ep("203.0.113.5:5061"));
  EXPECT_EQ(r.flow, (trust::FlowToken{trust::FlowKind::kUdp, 0, 0, 0}));
}

TEST(ResponseOrigin, ForgedResponseWithAVictimBelowOurViaIsDropped) {
  // Same top Via (ours, copied from an earlier response), another victim below it.
  std::string forged =
      replace(response_to(forwarded_invite()),
              "Via: SIP/2.0/UDP 203.0.113.5:5061;branch=z9hG4bK-4711-1-0;rport=5061;"
              "received=203.0.113.5",
              "Via: SIP/2.0/UDP 192.0.2.99:5060;branch=z9hG4bK-4711-1-0;rport=5060;"
              "received=192.0.2.99");
  ResponseRoute r = route(forged);
  EXPECT_EQ(r.kind, ResponseRoute::Kind::kDrop);
  EXPECT_EQ(r.drop, ResponseDrop::kForgedBranch);
}

TEST(ResponseOrigin, AlteredReceivedOrRportIsDropped) {
  std::string resp = response_to(forwarded_invite());
  EXPECT_EQ(route(replace(resp, "received=203.0.113.5", "received=10.0.0.5")).drop,
            ResponseDrop::kForgedBranch);
  EXPECT_EQ(route(replace(resp, "rport=5061", "rport=5062")).drop, ResponseDrop::kForgedBranch);
  EXPECT_EQ(route(replace(resp, ";received=203.0.113.5", "")).drop, ResponseDrop::kForgedBranch);
}

TEST(ResponseOrigin, SecondViaToAnInternalHostOverTcpIsDropped) {
  std::string resp = response_to(forwarded_invite());
  std::string forged = replace(resp,
                               "Via: SIP/2.0/UDP 203.0.113.5:5061;branch=z9hG4bK-4711-1-0;"
                               "rport=5061;received=203.0.113.5",
                               "Via: SIP/2.0/TCP 10.1.2.3:5060;branch=z9hG4bK-4711-1-0");
  EXPECT_EQ(route(forged).drop, ResponseDrop::kForgedBranch);
}

TEST(ResponseOrigin, Rfc2543ViaBelowOursIsCheckedToo) {
  // A client without the magic cookie: its genuine response passes, a forged one does not.
  std::string old = replace(sipp_invite(), "branch=z9hG4bK-4711-1-0;rport", "branch=1");
  std::string resp = response_to(forwarded_invite(udp_from("203.0.113.5:5061"), old));
  EXPECT_EQ(route(resp).kind, ResponseRoute::Kind::kForward) << resp;
  std::string forged = replace(resp, "Via: SIP/2.0/UDP 203.0.113.5:5061;branch=1",
                               "Via: SIP/2.0/UDP 192.0.2.99:5061;branch=1");
  EXPECT_EQ(route(forged).drop, ResponseDrop::kForgedBranch);
  // No branch at all below ours: nothing we wrote, so nothing to send to.
  std::string none = replace(resp, ";branch=1", "");
  EXPECT_EQ(route(none).drop, ResponseDrop::kForgedBranch);
}

TEST(ResponseOrigin, OurViaAloneOrAnAlteredFlowIsDropped) {
  std::string resp = response_to(forwarded_invite());
  size_t client = resp.find("Via: SIP/2.0/UDP 203.0.113.5");
  size_t end = resp.find("\r\n", client);
  std::string alone = resp;
  alone.erase(client, end + 2 - client);
  EXPECT_EQ(route(alone).drop, ResponseDrop::kForgedBranch);
  // Our branch names the flow in its first 16 hex digits: pointing it at a connection is
  // caught by the MAC.
  size_t b = resp.find("branch=z9hG4bK") + 14;
  std::string moved = resp;
  moved.replace(b, 16, trust_hex(trust::FlowToken{trust::FlowKind::kTcp, 0, 1, 1}));
  EXPECT_EQ(route(moved).drop, ResponseDrop::kForgedBranch);
}

TEST(ResponseOrigin, AnotherSecretRefusesAndTheSameSecretAccepts) {
  std::string resp = response_to(forwarded_invite());
  LocalIdentity other = edge_identity();
  other.branch_key = trust::BranchKey::from(
      *trust::EdgeSecret::from_bytes("another node's secret, 32 bytes or more"));
  EXPECT_EQ(route(resp, other).drop, ResponseDrop::kForgedBranch);
  // A second node (or this one after a restart) with the same secret file.
  EXPECT_EQ(route(resp, edge_identity()).kind, ResponseRoute::Kind::kForward);
}

TEST(ResponseOrigin, StreamFlowIsReturnedExactly) {
  Inbound tcp = udp_from("203.0.113.5:40001");
  tcp.transport = resolve::Transport::kTcp;
  tcp.flow = trust::pack(trust::FlowToken{trust::FlowKind::kTcp, 3, 12345, 77});
  std::string invite =
      replace(sipp_invite(), "SIP/2.0/UDP 203.0.113.5:5061", "SIP/2.0/TCP 203.0.113.5:5061");
  ResponseRoute r = route(response_to(forwarded_invite(tcp, invite)));
  ASSERT_EQ(r.kind, ResponseRoute::Kind::kForward) << r.drop_reason;
  EXPECT_EQ(r.flow, (trust::FlowToken{trust::FlowKind::kTcp, 3, 12345, 77}));
  EXPECT_EQ(r.sent_by_port, 5061);
  EXPECT_EQ(r.destination.address, ep("203.0.113.5:1").address);
}

}  // namespace
}  // namespace sipedge::proxy::testing
