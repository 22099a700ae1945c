// Attacker-chosen bytes: mutated real messages go through every entry point. Nothing may
// read or write out of bounds (run under ASan+UBSan), and whatever is forwarded must parse.
#include <random>

#include "proxy_test_support.h"

namespace sipedge::proxy::testing {
namespace {

// A 180 for the SIPp INVITE as we forwarded it from 198.18.0.7:40000 (our branch verifies),
// with our Via and the client's in one row and a lower Via in another.
std::string genuine_response() {
  auto req = receive(sipp_invite());
  std::string fwd = forward(*req, udp_from("198.18.0.7:40000"), edge_identity(), udp_out());
  size_t ours = fwd.find("Via: ") + 5;
  size_t ours_end = fwd.find("\r\n", ours);
  size_t client = fwd.find("Via: ", ours_end) + 5;
  size_t client_end = fwd.find("\r\n", client);
  return "SIP/2.0 180 Ringing\r\nVia: " + fwd.substr(ours, ours_end - ours) + ", " +
         fwd.substr(client, client_end - client) +
         crlf(
             "\nVia: SIP/2.0/UDP 10.1.1.1;branch=z9hG4bKlower\n"
             "From: <sip:a@b>;tag=1\nTo: <sip:c@d>;tag=2\nCall-ID: x@y\nCSeq: 1 INVITE\n"
             "Content-Length: 4\n\nabcd");
}

std::vector<std::string> seeds() {
  return {
      sipp_invite(),
      crlf("BYE sip:192.0.2.10;lr SIP/2.0\n"
           "Via: SIP/2.0/UDP [2001:db8::5]:5060;rport;branch=z9hG4bK.Xm4q2Kp9a, SIP/2.0/TCP "
           "a.example;branch=z9hG4bKb\n"
           "v: SIP/2.0/TLS 10.0.0.1;received=10.0.0.9;branch=z9hG4bKc\n"
           "f: \"Alice\" <sip:alice@atlanta.example.com>;tag=Vr9N\n"
           "t: <sip:bob@biloxi.example.com>;tag=as5f\n"
           "i: 3Kd9fS~x1t\n"
           "CSeq: 21 BYE\n"
           "Route: <sip:edge.example.net;lr>, <sip:p2.example.com;lr>\n"
           "Route: <sip:bob@192.0.2.77:5060>\n"
           "Proxy-Require: foo\n"
           "Max-Forwards: 3\n"
           "l: 0\n\n"),
      genuine_response(),
  };
}

// How many inputs reached each path, so the test cannot pass by exercising nothing.
struct Reached {
  int unparsed_answered = 0;
  int responses_routed = 0;
  int forwarded = 0;
};

void exercise(std::string_view raw, const LocalIdentity& me, const Inbound& in, Reached* reached) {
  std::vector<char> big(70000);
  std::vector<char> tiny(97);
  auto r = std::make_unique<Received>(std::string(raw));
  if (!r->ok()) {
    auto n = build_response_to_unparsed(r->raw(), in, 400, "Bad Request", big);
    if (n) {
      ++reached->unparsed_answered;
      sip::Message m;
      EXPECT_TRUE(
          sip::MessageParser().parse(std::string_view(big.data(), *n), sip::Framing::kDatagram, &m))
          << std::string(big.data(), *n);
    }
    (void)build_response_to_unparsed(r->raw(), in, 400, "Bad Request", tiny);
    return;
  }
  const sip::Message& msg = r->msg();
  if (!msg.is_request()) {
    reached->responses_routed += route_response(msg, me).kind == ResponseRoute::Kind::kForward;
    (void)build_forwarded_response(msg, r->raw(), big);
    (void)build_forwarded_response(msg, r->raw(), tiny);
    return;
  }
  char branch[kBranchSize];
  (void)compute_branch(msg, in, me, branch);
  RequestPlan plan = plan_request(msg, in, me);
  (void)build_response(msg, in, 400, "Bad Request", {}, big);
  (void)build_response(msg, in, 400, "Bad Request", {}, tiny);
  if (plan.kind != RequestPlan::Kind::kForward) return;
  ForwardOptions opts = udp_out();
  opts.record_route = true;
  auto n = build_forwarded_request(msg, r->raw(), plan, in, opts, big);
  ASSERT_TRUE(n.has_value());
  ++reached->forwarded;
  (void)build_forwarded_request(msg, r->raw(), plan, in, opts, tiny);
  sip::Message again;
  EXPECT_TRUE(sip::MessageParser({70000, 256})
                  .parse(std::string_view(big.data(), *n), sip::Framing::kStream, &again))
      << std::string(big.data(), *n);
}

TEST(AttackerBytes, MutatedMessagesNeverBreakTheProxy) {
  const LocalIdentity me = edge_identity();
  const Inbound in = udp_from("198.18.0.7:40000");
  Reached reached;
  std::mt19937 rng(20261125);  // fixed: the same mutations on every run
  const std::string alphabet = ",;:<>\"\\ \t\r\n@[]=?%0z";
  for (const std::string& seed : seeds()) {
    exercise(seed, me, in, &reached);
    for (int round = 0; round < 3000; ++round) {
      std::string m = seed;
      int edits = 1 + static_cast<int>(rng() % 4);
      for (int e = 0; e < edits && !m.empty(); ++e) {
        size_t at = rng() % m.size();
        switch (rng() % 4) {
          case 0:
            m[at] = alphabet[rng() % alphabet.size()];
            break;
          case 1:
            m.erase(at, 1 + rng() % 8);
            break;
          case 2:
            m.insert(at, 1, alphabet[rng() % alphabet.size()]);
            break;
          default:
            m.resize(at);  // truncated
            break;
        }
      }
      exercise(m, me, in, &reached);
      if (::testing::Test::HasFailure()) return;
    }
  }
  EXPECT_GT(reached.forwarded, 100);
  EXPECT_GT(reached.unparsed_answered, 100);
  EXPECT_GT(reached.responses_routed, 100);
  EXPECT_EQ(route_response(receive(genuine_response())->msg(), me).kind,
            ResponseRoute::Kind::kForward);
}

}  // namespace
}  // namespace sipedge::proxy::testing
