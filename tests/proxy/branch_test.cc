// RFC 3261 §16.11: the deterministic branch of a stateless proxy.
#include "proxy/branch_hash.h"
#include "proxy_test_support.h"

namespace sipedge::proxy::testing {
namespace {

std::string replace(std::string s, std::string_view from, std::string_view to) {
  size_t at = s.find(from);
  EXPECT_NE(at, std::string::npos) << from;
  if (at != std::string::npos) s.replace(at, from.size(), to);
  return s;
}

std::string branch_of(const std::string& raw, const Inbound& in = udp_from("203.0.113.5:5061"),
                      const LocalIdentity& me = edge_identity()) {
  auto r = receive(raw);
  char out[kBranchSize];
  size_t n = compute_branch(r->msg(), in, me, out);
  EXPECT_EQ(n, kBranchSize);
  RequestPlan plan = plan_request(r->msg(), in, me);
  EXPECT_EQ(plan.branch().substr(0, kBranchMacAt), std::string_view(out, kBranchMacAt))
      << "plan and compute_branch agree on flow and loop";
  return std::string(out, n);
}

std::string_view flow_part(const std::string& b) { return std::string_view(b).substr(7, 16); }
std::string_view loop_part(const std::string& b) { return std::string_view(b).substr(24, 16); }
std::string_view mac_part(const std::string& b) { return std::string_view(b).substr(41); }

// The CANCEL SIPp sends for its INVITE (§9.1: same Via, R-URI, Call-ID, From, To, CSeq number).
std::string sipp_cancel() {
  return crlf(
      "CANCEL sip:service@198.51.100.20:5060 SIP/2.0\n"
      "Via: SIP/2.0/UDP 203.0.113.5:5061;branch=z9hG4bK-4711-1-0;rport\n"
      "From: sipp <sip:sipp@203.0.113.5:5061>;tag=4711SIPpTag001\n"
      "To: service <sip:service@198.51.100.20:5060>\n"
      "Call-ID: 1-4711@203.0.113.5\n"
      "CSeq: 1 CANCEL\n"
      "Max-Forwards: 70\n"
      "Content-Length: 0\n\n");
}

// The ACK for a 486 (§17.1.1.3: same branch as the INVITE, To carries the response's tag).
std::string sipp_ack_for_486() {
  return crlf(
      "ACK sip:service@198.51.100.20:5060 SIP/2.0\n"
      "Via: SIP/2.0/UDP 203.0.113.5:5061;branch=z9hG4bK-4711-1-0;rport\n"
      "From: sipp <sip:sipp@203.0.113.5:5061>;tag=4711SIPpTag001\n"
      "To: service <sip:service@198.51.100.20:5060>;tag=as6151ad25\n"
      "Call-ID: 1-4711@203.0.113.5\n"
      "CSeq: 1 ACK\n"
      "Max-Forwards: 70\n"
      "Content-Length: 0\n\n");
}

TEST(Rfc3261_16_11, BranchHasTheMagicCookieAndItsFixedShape) {
  std::string b = branch_of(sipp_invite());
  EXPECT_EQ(b.substr(0, 7), "z9hG4bK");
  EXPECT_EQ(b[23], '.');
  EXPECT_EQ(b[40], '.');
  EXPECT_EQ(b.size(), kBranchSize);
  EXPECT_EQ(mac_part(b).size(), 24u) << "96 bits of MAC";
  EXPECT_EQ(b.find_first_not_of("z9hG4bK0123456789abcdef."), std::string::npos);
}

TEST(Rfc3261_16_11, RetransmissionGetsTheSameBranch) {
  EXPECT_EQ(branch_of(sipp_invite()), branch_of(sipp_invite()));
}

TEST(Rfc3261_16_11, CancelGetsTheBranchOfItsInvite) {
  EXPECT_EQ(branch_of(sipp_cancel()), branch_of(sipp_invite()));
}

TEST(Rfc3261_16_11, NonTwoHundredAckGetsTheBranchOfItsInvite) {
  EXPECT_EQ(branch_of(sipp_ack_for_486()), branch_of(sipp_invite()));
}

TEST(Rfc3261_16_11, DifferentCallIdGetsADifferentBranch) {
  std::string other =
      with_body(sipp_invite_head("sip:service@198.51.100.20:5060", "2-4711@203.0.113.5"), kSdp);
  other = replace(other, "z9hG4bK-4711-1-0", "z9hG4bK-4711-2-0");
  std::string a = branch_of(sipp_invite());
  std::string b = branch_of(other);
  EXPECT_NE(a, b);
  EXPECT_NE(loop_part(a), loop_part(b)) << "loop parts differ too";
}

TEST(Rfc3261_16_11, NewTransactionFromTheSameClientGetsADifferentBranch) {
  std::string a = branch_of(sipp_invite());
  std::string b = branch_of(replace(sipp_invite(), "z9hG4bK-4711-1-0", "z9hG4bK-4711-1-1"));
  EXPECT_NE(mac_part(a), mac_part(b)) << "the client's branch is in the MAC";
  EXPECT_EQ(loop_part(a), loop_part(b)) << "same loop fields";
}

TEST(Rfc3261_16_11, ChangedRequestUriChangesTheLoopHalf) {
  std::string a = branch_of(sipp_invite());
  std::string b = branch_of(with_body(sipp_invite_head("sip:service@198.51.100.30"), kSdp));
  EXPECT_NE(loop_part(a), loop_part(b));
}

// The Via below ours as forwarded carries received/rport: another source, another MAC.
TEST(BranchMac, SourceAddressAndPortAreInTheMac) {
  std::string a = branch_of(sipp_invite());
  EXPECT_NE(mac_part(a), mac_part(branch_of(sipp_invite(), udp_from("203.0.113.6:5061"))));
  EXPECT_NE(mac_part(a), mac_part(branch_of(sipp_invite(), udp_from("203.0.113.5:5062"))));
}

TEST(BranchMac, TheFlowIsNamedAndInTheMac) {
  Inbound tcp = udp_from("203.0.113.5:40000");
  tcp.transport = resolve::Transport::kTcp;
  tcp.flow = trust::pack(trust::FlowToken{trust::FlowKind::kTcp, 1, 7, 3});
  std::string a = branch_of(sipp_invite(), tcp);
  tcp.flow = trust::pack(trust::FlowToken{trust::FlowKind::kTcp, 1, 7, 4});
  std::string b = branch_of(sipp_invite(), tcp);
  EXPECT_EQ(flow_part(a), "2010000007000003");
  EXPECT_NE(flow_part(a), flow_part(b));
  EXPECT_NE(mac_part(a), mac_part(b));
}

TEST(BranchMac, AnotherSecretGivesAnotherMac) {
  LocalIdentity other = edge_identity();
  other.branch_key = trust::BranchKey::from(
      *trust::EdgeSecret::from_bytes("another secret, also at least 32 bytes long"));
  std::string a = branch_of(sipp_invite());
  std::string b = branch_of(sipp_invite(), udp_from("203.0.113.5:5061"), other);
  EXPECT_EQ(loop_part(a), loop_part(b));
  EXPECT_NE(mac_part(a), mac_part(b));
  // Two nodes sharing one secret file make the same branch (scale-out, restarts).
  LocalIdentity same = edge_identity();
  EXPECT_EQ(a, branch_of(sipp_invite(), udp_from("203.0.113.5:5061"), same));
}

// An RFC 2543 client (no magic cookie): the §17.2.3 fields identify the transaction.
TEST(Rfc3261_17_2_3, ClientWithoutMagicCookieGetsStableBranches) {
  std::string old = replace(sipp_invite(), "branch=z9hG4bK-4711-1-0;rport", "branch=1");
  std::string old_cancel = replace(sipp_cancel(), "branch=z9hG4bK-4711-1-0;rport", "branch=1");
  std::string old_ack = replace(sipp_ack_for_486(), "branch=z9hG4bK-4711-1-0;rport", "branch=1");
  EXPECT_EQ(branch_of(old), branch_of(old));
  EXPECT_EQ(branch_of(old), branch_of(old_cancel));
  EXPECT_EQ(branch_of(old), branch_of(old_ack));
  EXPECT_NE(branch_of(old), branch_of(sipp_invite()));
  std::string no_branch = replace(sipp_invite(), ";branch=z9hG4bK-4711-1-0;rport", "");
  EXPECT_EQ(branch_of(no_branch), branch_of(no_branch));
}

TEST(Rfc3261_16_11, TooSmallOutputGivesNoBranch) {
  auto r = receive(sipp_invite());
  char out[kBranchSize - 1];
  EXPECT_EQ(compute_branch(r->msg(), udp_from("203.0.113.5:5061"), edge_identity(), out), 0u);
}

}  // namespace
}  // namespace sipedge::proxy::testing
