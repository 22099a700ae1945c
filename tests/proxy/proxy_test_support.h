// Fixtures for the stateless proxy tests: a proxy at 192.0.2.10 (UDP/TCP 5060, TLS 5061) and
// [2001:db8::10]:5060, named edge.example.net, and messages written the way real user agents
// (SIPp, Linphone) send them.
#pragma once

#include <gtest/gtest.h>

#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "net/endpoint.h"
#include "proxy/branch_hash.h"
#include "proxy/stateless_proxy.h"
#include "trust/edge_secret.h"
#include "sip/message_parser.h"

namespace sipedge::proxy::testing {

inline net::Endpoint ep(std::string_view text) {
  net::Endpoint e;
  EXPECT_TRUE(net::parse_endpoint(text, &e)) << text;
  return e;
}

inline LocalIdentity edge_identity() {
  LocalIdentity me;
  me.listeners = {{resolve::Transport::kUdp, ep("192.0.2.10:5060")},
                  {resolve::Transport::kTcp, ep("192.0.2.10:5060")},
                  {resolve::Transport::kTls, ep("192.0.2.10:5061")},
                  {resolve::Transport::kUdp, ep("[2001:db8::10]:5060")}};
  me.names = {"edge.example.net"};
  auto secret = trust::EdgeSecret::from_bytes("a test secret of at least 32 bytes, fixed");
  EXPECT_TRUE(secret.has_value());
  if (secret) me.branch_key = trust::BranchKey::from(*secret);
  return me;
}

inline Inbound udp_from(std::string_view source) {
  Inbound in;
  in.transport = resolve::Transport::kUdp;
  in.source = ep(source);
  in.local = ep("192.0.2.10:5060");
  in.flow = trust::pack(trust::FlowToken{trust::FlowKind::kUdp, 0, 0, 0});
  return in;
}

inline ForwardOptions udp_out() {
  ForwardOptions o;
  o.out_transport = resolve::Transport::kUdp;
  o.out_local = ep("192.0.2.10:5060");
  o.record_route_local = ep("192.0.2.10:5060");
  return o;
}

// CRLF line endings for readable fixtures: "\n" in `text` becomes "\r\n".
inline std::string crlf(std::string_view text) {
  std::string out;
  for (char c : text) {
    if (c == '\n') out += '\r';
    out += c;
  }
  return out;
}

// Head (headers, LF line ends, without the empty line) + body, Content-Length filled in.
inline std::string with_body(std::string_view head, std::string_view body) {
  return crlf(std::string(head) + "Content-Length: " + std::to_string(body.size()) + "\n\n") +
         std::string(body);
}

// A received datagram and its parse; the Message views `raw`, so this never moves.
class Received {
 public:
  explicit Received(std::string raw) : raw_(std::move(raw)) {
    sip::MessageParser parser;
    auto r = parser.parse(raw_, sip::Framing::kDatagram, &msg_);
    ok_ = r.has_value();
    if (!ok_) error_ = r.error().to_string();
  }
  Received(const Received&) = delete;
  Received& operator=(const Received&) = delete;

  const sip::Message& msg() const { return msg_; }
  std::string_view raw() const { return raw_; }
  bool ok() const { return ok_; }
  const std::string& error() const { return error_; }

 private:
  std::string raw_;
  sip::Message msg_;
  bool ok_ = false;
  std::string error_;
};

inline std::unique_ptr<Received> receive(std::string raw) {
  auto r = std::make_unique<Received>(std::move(raw));
  EXPECT_TRUE(r->ok()) << r->error();
  return r;
}

// The SDP a SIPp uac offers.
inline constexpr std::string_view kSdp =
    "v=0\r\no=user1 53655765 2353687637 IN IP4 203.0.113.5\r\ns=-\r\n"
    "c=IN IP4 203.0.113.5\r\nt=0 0\r\nm=audio 6000 RTP/AVP 0\r\na=rtpmap:0 PCMU/8000\r\n";

// A SIPp uac INVITE (sipp -sn uac), sent from 203.0.113.5:5061 to the edge.
inline std::string sipp_invite_head(std::string_view request_uri = "sip:service@198.51.100.20:5060",
                                    std::string_view call_id = "1-4711@203.0.113.5") {
  return "INVITE " + std::string(request_uri) +
         " SIP/2.0\n"
         "Via: SIP/2.0/UDP 203.0.113.5:5061;branch=z9hG4bK-4711-1-0;rport\n"
         "From: sipp <sip:sipp@203.0.113.5:5061>;tag=4711SIPpTag001\n"
         "To: service <sip:service@198.51.100.20:5060>\n"
         "Call-ID: " +
         std::string(call_id) +
         "\n"
         "CSeq: 1 INVITE\n"
         "Contact: sip:sipp@203.0.113.5:5061\n"
         "Max-Forwards: 70\n"
         "Subject: Performance Test\n"
         "Content-Type: application/sdp\n";
}

inline std::string sipp_invite() { return with_body(sipp_invite_head(), kSdp); }

// Our Via value as a next hop echoes it, its branch sealed (edge_identity's key) for `below`,
// the Via value below ours: what a response to a request we forwarded carries on top.
inline std::string sealed_via(std::string_view below,
                              trust::FlowToken flow = {trust::FlowKind::kUdp, 0, 0, 0},
                              uint64_t loop = 0x0c1d2e3f4a5b6c7dULL) {
  std::array<char, kBranchSize> b{};
  format_branch(trust::pack(flow), loop, b);
  seal_branch(edge_identity().branch_key, below, b);
  return "SIP/2.0/UDP 192.0.2.10:5060;branch=" + std::string(b.data(), b.size()) +
         ";rport=5060;received=192.0.2.10";
}

// Runs plan_request + build_forwarded_request; fails the test unless the plan forwards.
inline std::string forward(const Received& r, const Inbound& in, const LocalIdentity& me,
                           const ForwardOptions& opts, RequestPlan* plan_out = nullptr) {
  RequestPlan plan = plan_request(r.msg(), in, me);
  EXPECT_EQ(plan.kind, RequestPlan::Kind::kForward) << plan.status << " " << plan.reason;
  if (plan_out != nullptr) {
    // The branch the request must leave with, computed on its own (compute_branch), so a
    // test comparing bytes also checks that the one build_forwarded_request sealed is it.
    *plan_out = plan;
    EXPECT_EQ(compute_branch(r.msg(), in, me, plan_out->branch_text), kBranchSize);
  }
  ForwardOptions sealed = opts;
  sealed.branch_key = me.branch_key;
  std::vector<char> out(8192);
  auto n = build_forwarded_request(r.msg(), r.raw(), plan, in, sealed, out);
  EXPECT_TRUE(n.has_value()) << (n ? "" : n.error().to_string());
  return n ? std::string(out.data(), *n) : std::string();
}

}  // namespace sipedge::proxy::testing
