// The responder's 200 OK: what a stateless proxy needs to send it back along the Vias.
#include <gtest/gtest.h>

#include <string>

#include "ok_response.h"

namespace sipedge::bench {
namespace {

std::string respond(std::string_view request, size_t room = 2048) {
  std::string out(room, '\0');
  size_t n = build_ok_response(request, std::span<char>(out.data(), out.size()));
  out.resize(n);
  return out;
}

constexpr std::string_view kForwarded =
    "MESSAGE sip:bench@127.0.0.2:5070 SIP/2.0\r\n"
    "Via: SIP/2.0/UDP 127.0.0.1:5060;branch=z9hG4bKproxy\r\n"
    "Via: SIP/2.0/TLS 127.0.0.1:40000;rport=40000;received=127.0.0.1;branch=z9hG4bK-1\r\n"
    "Max-Forwards: 69\r\n"
    "From: <sip:loadgen@bench.gen>;tag=0001\r\n"
    "To: <sip:bench@127.0.0.2:5070>\r\n"
    "Call-ID: 0001-0002@bench.gen\r\n"
    "CSeq: 1 MESSAGE\r\n"
    "Content-Type: text/plain\r\n"
    "Content-Length: 5\r\n\r\nhello";

TEST(OkResponse, CopiesViasInOrderAndDialogHeaders) {
  EXPECT_EQ(respond(kForwarded),
            "SIP/2.0 200 OK\r\n"
            "Via: SIP/2.0/UDP 127.0.0.1:5060;branch=z9hG4bKproxy\r\n"
            "Via: SIP/2.0/TLS 127.0.0.1:40000;rport=40000;received=127.0.0.1;branch=z9hG4bK-1\r\n"
            "From: <sip:loadgen@bench.gen>;tag=0001\r\n"
            "To: <sip:bench@127.0.0.2:5070>;tag=tlsbench\r\n"
            "Call-ID: 0001-0002@bench.gen\r\n"
            "CSeq: 1 MESSAGE\r\n"
            "Content-Length: 0\r\n\r\n");
}

TEST(OkResponse, UnderstandsCompactNamesAndKeepsAnExistingToTag) {
  std::string out = respond(
      "MESSAGE sip:a@b SIP/2.0\r\nv: SIP/2.0/UDP h;branch=z9hG4bKx\r\nf: <sip:a@b>;tag=1\r\n"
      "t: <sip:c@d>;tag=2\r\ni: id\r\nCSeq: 2 MESSAGE\r\nl: 0\r\n\r\n");
  EXPECT_NE(out.find("\r\nv: SIP/2.0/UDP h;branch=z9hG4bKx\r\n"), std::string::npos);
  EXPECT_NE(out.find("\r\nt: <sip:c@d>;tag=2\r\n"), std::string::npos);
  EXPECT_EQ(out.find("tlsbench"), std::string::npos);
  EXPECT_NE(out.find("\r\ni: id\r\n"), std::string::npos);
}

TEST(OkResponse, RefusesARequestWithoutCallIdOrHeaderEnd) {
  EXPECT_EQ(respond("MESSAGE sip:a@b SIP/2.0\r\nVia: x\r\nFrom: a\r\nTo: b\r\nCSeq: 1 M\r\n\r\n"),
            "");
  EXPECT_EQ(respond("MESSAGE sip:a@b SIP/2.0\r\nVia: x\r\n"), "");
}

TEST(OkResponse, RefusesWhenTheBufferIsTooSmall) { EXPECT_EQ(respond(kForwarded, 64), ""); }

}  // namespace
}  // namespace sipedge::bench
