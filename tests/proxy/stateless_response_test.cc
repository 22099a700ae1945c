// RFC 3261 §8.2.6 / §16.11 stateless responses, and the best-effort 400 for a request the
// parser refused.
#include "proxy_test_support.h"

namespace sipedge::proxy::testing {
namespace {

std::string replace(std::string s, std::string_view from, std::string_view to) {
  size_t at = s.find(from);
  EXPECT_NE(at, std::string::npos) << from;
  if (at != std::string::npos) s.replace(at, from.size(), to);
  return s;
}

std::string respond(const Received& r, const Inbound& in, uint16_t status, std::string_view reason,
                    std::string_view extra = {}) {
  std::vector<char> out(4096);
  auto n = build_response(r.msg(), in, status, reason, extra, out);
  EXPECT_TRUE(n.has_value()) << (n ? "" : n.error().to_string());
  return n ? std::string(out.data(), *n) : std::string();
}

// The To tag we added, from "To: ...;tag=XXXX\r\n".
std::string to_tag(const std::string& response) {
  size_t to = response.find("\r\nTo: ");
  size_t tag = response.find(";tag=", to);
  size_t end = response.find("\r\n", tag);
  return tag == std::string::npos ? "" : response.substr(tag + 5, end - tag - 5);
}

TEST(Rfc3261_8_2_6, TooManyHopsResponseCopiesTheDialogHeadersAndAddsATag) {
  auto r = receive(replace(sipp_invite(), "Max-Forwards: 70", "Max-Forwards: 0"));
  std::string got = respond(*r, udp_from("198.18.0.7:40000"), 483, "Too Many Hops");
  const std::string tag = to_tag(got);
  ASSERT_EQ(tag.size(), 16u);
  EXPECT_EQ(got,
            "SIP/2.0 483 Too Many Hops\r\n"
            "Via: SIP/2.0/UDP "
            "203.0.113.5:5061;branch=z9hG4bK-4711-1-0;rport=40000;received=198.18.0.7\r\n"
            "From: sipp <sip:sipp@203.0.113.5:5061>;tag=4711SIPpTag001\r\n"
            "To: service <sip:service@198.51.100.20:5060>;tag=" +
                tag +
                "\r\n"
                "Call-ID: 1-4711@203.0.113.5\r\n"
                "CSeq: 1 INVITE\r\n"
                "Content-Length: 0\r\n\r\n");
}

TEST(Rfc3261_8_2_6, RetransmissionGetsTheSameToTag) {
  auto a = receive(sipp_invite());
  auto b = receive(sipp_invite());
  const Inbound in = udp_from("203.0.113.5:5061");
  EXPECT_EQ(to_tag(respond(*a, in, 503, "Service Unavailable")),
            to_tag(respond(*b, in, 503, "Service Unavailable")));
  auto other = receive(
      with_body(sipp_invite_head("sip:service@198.51.100.20:5060", "9-4711@203.0.113.5"), kSdp));
  EXPECT_NE(to_tag(respond(*a, in, 503, "x")), to_tag(respond(*other, in, 503, "x")));
}

TEST(Rfc3261_8_2_6, HundredTryingGetsNoTag) {
  auto r = receive(sipp_invite());
  std::string got = respond(*r, udp_from("203.0.113.5:5061"), 100, "Trying");
  EXPECT_NE(got.find("\r\nTo: service <sip:service@198.51.100.20:5060>\r\n"), std::string::npos)
      << got;
}

TEST(Rfc3261_8_2_6, ExistingToTagIsKept) {
  std::string bye = crlf(
      "BYE sip:bob@192.0.2.77 SIP/2.0\n"
      "Via: SIP/2.0/TCP 203.0.113.7:52011;branch=z9hG4bK.Xm4q2Kp9a;rport\n"
      "Via: SIP/2.0/UDP 10.0.0.8;branch=z9hG4bK.lower\n"
      "f: <sip:alice@atlanta.example.com>;tag=Vr9N~q3kB\n"
      "t: <sip:bob@biloxi.example.com>;tag=as5f1e2a03\n"
      "i: 3Kd9fS~x1t\n"
      "CSeq: 21 BYE\n"
      "Max-Forwards: 70\n"
      "l: 0\n\n");
  auto r = receive(bye);
  Inbound in = udp_from("203.0.113.7:52011");
  in.transport = resolve::Transport::kTcp;
  EXPECT_EQ(respond(*r, in, 503, "Service Unavailable", "Retry-After: 5\r\n"),
            "SIP/2.0 503 Service Unavailable\r\n"
            "Via: SIP/2.0/TCP "
            "203.0.113.7:52011;branch=z9hG4bK.Xm4q2Kp9a;rport=52011;received=203.0.113.7\r\n"
            "Via: SIP/2.0/UDP 10.0.0.8;branch=z9hG4bK.lower\r\n"
            "f: <sip:alice@atlanta.example.com>;tag=Vr9N~q3kB\r\n"
            "t: <sip:bob@biloxi.example.com>;tag=as5f1e2a03\r\n"
            "i: 3Kd9fS~x1t\r\n"
            "CSeq: 21 BYE\r\n"
            "Retry-After: 5\r\n"
            "Content-Length: 0\r\n\r\n");
}

TEST(Rfc3261_16_3, BadExtensionResponseListsUnsupported) {
  std::string head = sipp_invite_head() + "Proxy-Require: foo\n";
  auto r = receive(with_body(head, kSdp));
  char extra[64];
  auto n = write_unsupported_header(r->msg(), extra);
  ASSERT_TRUE(n.has_value());
  std::string got =
      respond(*r, udp_from("203.0.113.5:5061"), 420, "Bad Extension", std::string_view(extra, *n));
  EXPECT_NE(got.find("\r\nCSeq: 1 INVITE\r\nUnsupported: foo\r\nContent-Length: 0\r\n\r\n"),
            std::string::npos)
      << got;
}

// The 400 for a bad top Via still reaches the sender: the Via is echoed as received.
TEST(Rfc3261_8_2_6, BadTopViaIsEchoedInTheBadRequest) {
  auto r = receive(replace(sipp_invite(), "203.0.113.5:5061;branch", "203.0.113.5:99999;branch"));
  const Inbound in = udp_from("203.0.113.5:5061");
  RequestPlan plan = plan_request(r->msg(), in, edge_identity());
  ASSERT_EQ(plan.status, 400);
  std::string got = respond(*r, in, plan.status, plan.reason);
  EXPECT_EQ(got.substr(0, got.find("\r\nFrom:")),
            "SIP/2.0 400 Bad Request (bad Via)\r\n"
            "Via: SIP/2.0/UDP 203.0.113.5:99999;branch=z9hG4bK-4711-1-0;rport");
}

TEST(Rfc3261_8_2_6, RequestWithoutViaIsNotAnswered) {
  auto r = receive(replace(
      sipp_invite(), "Via: SIP/2.0/UDP 203.0.113.5:5061;branch=z9hG4bK-4711-1-0;rport\r\n", ""));
  std::vector<char> out(4096);
  EXPECT_FALSE(build_response(r->msg(), udp_from("203.0.113.5:5061"), 400, "Bad Request", {}, out)
                   .has_value());
}

TEST(Rfc3261_17_1_1_3, AckIsNeverAnswered) {
  std::string ack = crlf(
      "ACK sip:service@198.51.100.20:5060 SIP/2.0\n"
      "Via: SIP/2.0/UDP 203.0.113.5:5061;branch=z9hG4bK-4711-1-0;rport\n"
      "From: sipp <sip:sipp@203.0.113.5:5061>;tag=4711SIPpTag001\n"
      "To: service <sip:service@198.51.100.20:5060>;tag=as6151ad25\n"
      "Call-ID: 1-4711@203.0.113.5\n"
      "CSeq: 1 ACK\n"
      "Content-Length: 0\n\n");
  auto r = receive(ack);
  std::vector<char> out(4096);
  EXPECT_FALSE(build_response(r->msg(), udp_from("203.0.113.5:5061"), 400, "Bad Request", {}, out)
                   .has_value());
  EXPECT_FALSE(
      build_response_to_unparsed(ack, udp_from("203.0.113.5:5061"), 400, "Bad Request", out)
          .has_value());
}

TEST(Rfc3261_8_2_6, ReasonWithLineBreaksCannotInjectHeaders) {
  auto r = receive(sipp_invite());
  std::string got = respond(*r, udp_from("203.0.113.5:5061"), 400, "Bad\r\nEvil: yes");
  EXPECT_EQ(got.substr(0, got.find("\r\n")), "SIP/2.0 400 Bad  Evil: yes");
}

TEST(Rfc3261_8_2_6, ResponseThatDoesNotFitIsAnError) {
  auto r = receive(sipp_invite());
  const Inbound in = udp_from("203.0.113.5:5061");
  std::vector<char> full(4096);
  auto n = build_response(r->msg(), in, 483, "Too Many Hops", {}, full);
  ASSERT_TRUE(n.has_value());
  for (size_t size = 0; size < *n; ++size) {
    std::vector<char> buf(size + 8, '#');
    auto got =
        build_response(r->msg(), in, 483, "Too Many Hops", {}, std::span<char>(buf.data(), size));
    ASSERT_FALSE(got.has_value()) << size;
    EXPECT_EQ(std::string(buf.data() + size, 8), std::string(8, '#'));
  }
}

// The parser refuses this INVITE (Content-Length is not a number); the sender still learns why.
TEST(Rfc3261_16_3, MalformedRequestGets400BestEffort) {
  std::string raw =
      "INVITE sip:service@198.51.100.20:5060 SIP/2.0\r\n"
      "v: SIP/2.0/UDP 203.0.113.5:5061;branch=z9hG4bK-4711-1-0;rport\r\n"
      "f: sipp <sip:sipp@203.0.113.5:5061>;tag=4711SIPpTag001\r\n"
      "t: service <sip:service@198.51.100.20:5060>\r\n"
      "i: 1-4711@203.0.113.5\r\n"
      "CSeq: 1 INVITE\r\n"
      "Subject: junk\r\n"
      "Content-Length: ten\r\n\r\n";
  sip::Message msg;
  ASSERT_FALSE(sip::MessageParser().parse(raw, sip::Framing::kDatagram, &msg).has_value());
  std::vector<char> out(4096);
  auto n = build_response_to_unparsed(raw, udp_from("198.18.0.7:40000"), 400,
                                      "Bad Request (Content-Length: not a valid length)", out);
  ASSERT_TRUE(n.has_value()) << n.error().to_string();
  std::string got(out.data(), *n);
  const std::string tag = to_tag(got.replace(got.find("\r\nt: "), 5, "\r\nTo: "));
  ASSERT_EQ(tag.size(), 16u);
  got.replace(got.find("\r\nTo: "), 6, "\r\nt: ");
  EXPECT_EQ(
      got,
      "SIP/2.0 400 Bad Request (Content-Length: not a valid length)\r\n"
      "v: SIP/2.0/UDP 203.0.113.5:5061;branch=z9hG4bK-4711-1-0;rport=40000;received=198.18.0.7\r\n"
      "f: sipp <sip:sipp@203.0.113.5:5061>;tag=4711SIPpTag001\r\n"
      "t: service <sip:service@198.51.100.20:5060>;tag=" +
          tag +
          "\r\n"
          "i: 1-4711@203.0.113.5\r\n"
          "CSeq: 1 INVITE\r\n"
          "Content-Length: 0\r\n\r\n");
}

TEST(Rfc3261_16_3, MalformedRequestWithBareLfsAndJunkIsAnsweredWithCrlf) {
  std::string raw =
      "\r\nOPTIONS sip:bob@biloxi.example.com SIP/2.0\n"
      "this line is junk\n"
      "Via: SIP/2.0/UDP 203.0.113.9;branch=z9hG4bKbare\n"
      "Via: SIP/2.0/UDP 10.0.0.1;branch=z9hG4bKx\r\n"
      " ;folded=yes\n"
      "Call-ID: a\x01"
      "b\n"
      "From: <sip:x@y>;tag=1\n"
      "CSeq: 7 OPTIONS\n";
  std::vector<char> out(4096);
  auto n = build_response_to_unparsed(raw, udp_from("203.0.113.9:5060"), 400, "Bad Request", out);
  ASSERT_TRUE(n.has_value()) << n.error().to_string();
  EXPECT_EQ(std::string(out.data(), *n),
            "SIP/2.0 400 Bad Request\r\n"
            "Via: SIP/2.0/UDP 203.0.113.9;branch=z9hG4bKbare\r\n"
            "Via: SIP/2.0/UDP 10.0.0.1;branch=z9hG4bKx\r\n"
            " ;folded=yes\r\n"
            "From: <sip:x@y>;tag=1\r\n"
            "Call-ID: a b\r\n"
            "CSeq: 7 OPTIONS\r\n"
            "Content-Length: 0\r\n\r\n");
}

TEST(Rfc3261_16_3, UnparsableWithoutRequestLineOrViaIsNotAnswered) {
  std::vector<char> out(4096);
  const Inbound in = udp_from("203.0.113.9:5060");
  EXPECT_FALSE(
      build_response_to_unparsed("\x16\x03\x01\x02\x00garbage", in, 400, "x", out).has_value());
  EXPECT_FALSE(build_response_to_unparsed("", in, 400, "x", out).has_value());
  EXPECT_FALSE(
      build_response_to_unparsed("SIP/2.0 200 OK\r\nVia: SIP/2.0/UDP a;branch=z9hG4bKa\r\n\r\n", in,
                                 400, "x", out)
          .has_value());
  EXPECT_FALSE(build_response_to_unparsed("INVITE sip:a@b SIP/2.0\r\nFrom: <sip:a@b>\r\n\r\n", in,
                                          400, "x", out)
                   .has_value());
}

TEST(Rfc3261_16_3, UnparsedResponseThatDoesNotFitIsAnError) {
  std::string raw =
      "INVITE sip:a@b SIP/2.0\r\nVia: SIP/2.0/UDP 203.0.113.9;branch=z9hG4bKa\r\n"
      "To: <sip:a@b>\r\nContent-Length: x\r\n\r\n";
  const Inbound in = udp_from("203.0.113.9:5060");
  std::vector<char> full(4096);
  auto n = build_response_to_unparsed(raw, in, 400, "Bad Request", full);
  ASSERT_TRUE(n.has_value());
  for (size_t size = 0; size < *n; ++size) {
    std::vector<char> buf(size + 8, '#');
    ASSERT_FALSE(
        build_response_to_unparsed(raw, in, 400, "Bad Request", std::span<char>(buf.data(), size))
            .has_value());
    EXPECT_EQ(std::string(buf.data() + size, 8), std::string(8, '#'));
  }
}

}  // namespace
}  // namespace sipedge::proxy::testing
