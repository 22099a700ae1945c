#include "sip/message_parser.h"

#include <gtest/gtest.h>

#include <string>

namespace sipedge::sip {
namespace {

const std::string kInvite =
    "INVITE sip:bob@biloxi.example.com SIP/2.0\r\n"
    "Via: SIP/2.0/UDP pc33.atlanta.example.com;branch=z9hG4bK776asdhds\r\n"
    "Max-Forwards: 70\r\n"
    "To: Bob <sip:bob@biloxi.example.com>\r\n"
    "From: Alice <sip:alice@atlanta.example.com>;tag=1928301774\r\n"
    "Call-ID: a84b4c76e66710@pc33.atlanta.example.com\r\n"
    "CSeq: 314159 INVITE\r\n"
    "Contact: <sip:alice@pc33.atlanta.example.com>\r\n"
    "Content-Type: application/sdp\r\n"
    "Content-Length: 4\r\n"
    "\r\n"
    "v=0\n";

class MessageParserTest : public ::testing::Test {
 protected:
  Expected<bool, ParseError> parse(std::string_view text, Framing f = Framing::kDatagram) {
    return parser_.parse(text, f, &msg_);
  }
  MessageParser parser_;
  Message msg_;
};

TEST_F(MessageParserTest, RequestLineHeadersAndBody) {
  ASSERT_TRUE(parse(kInvite));
  EXPECT_TRUE(msg_.is_request());
  EXPECT_EQ(msg_.method, "INVITE");
  EXPECT_EQ(msg_.request_uri.user, "bob");
  EXPECT_EQ(msg_.headers.size(), 9u);
  ASSERT_NE(msg_.find(HeaderId::kCallId), nullptr);
  EXPECT_EQ(msg_.find(HeaderId::kCallId)->value, "a84b4c76e66710@pc33.atlanta.example.com");
  EXPECT_EQ(msg_.content_length, 4u);
  EXPECT_EQ(msg_.body, "v=0\n");
  EXPECT_EQ(msg_.wire_size, kInvite.size());
}

TEST_F(MessageParserTest, StatusLine) {
  ASSERT_TRUE(parse("SIP/2.0 180 Ringing\r\nContent-Length: 0\r\n\r\n"));
  EXPECT_FALSE(msg_.is_request());
  EXPECT_EQ(msg_.status_code, 180);
  EXPECT_EQ(msg_.reason, "Ringing");
  ASSERT_TRUE(parse("SIP/2.0 200 \r\n\r\n"));
  EXPECT_EQ(msg_.reason, "");
}

TEST_F(MessageParserTest, StatusCodeMustBeThreeDigitsInRange) {
  EXPECT_FALSE(parse("SIP/2.0 4294967301 Huge\r\n\r\n"));
  EXPECT_FALSE(parse("SIP/2.0 99 Low\r\n\r\n"));
  EXPECT_FALSE(parse("SIP/2.0 700 High\r\n\r\n"));
  EXPECT_FALSE(parse("SIP/2.0 2000 OK\r\n\r\n"));
}

TEST_F(MessageParserTest, VersionOtherThan2IsItsOwnError) {
  auto r = parse("OPTIONS sip:a@example.com SIP/7.0\r\n\r\n");
  ASSERT_FALSE(r);
  EXPECT_EQ(r.error().code, ParseErrorCode::kBadVersion);
  EXPECT_EQ(parse("OPTIONS sip:a@example.com SIP/2.0x\r\n\r\n").error().code,
            ParseErrorCode::kBadStartLine);
  EXPECT_TRUE(parse("OPTIONS sip:a@example.com sip/2.0\r\n\r\n"));
}

TEST_F(MessageParserTest, RequestLineSpacing) {
  EXPECT_FALSE(parse("INVITE  sip:a@example.com SIP/2.0\r\n\r\n"));
  EXPECT_FALSE(parse("INVITE sip:a@example.com  SIP/2.0\r\n\r\n"));
  EXPECT_FALSE(parse("INVITE sip:a@example.com SIP/2.0 \r\n\r\n"));
  EXPECT_FALSE(parse("INVITE <sip:a@example.com> SIP/2.0\r\n\r\n"));
  EXPECT_FALSE(parse("INVITE sip:a@example.com\r\n\r\n"));
  EXPECT_FALSE(parse("INV(TE sip:a@example.com SIP/2.0\r\n\r\n"));
}

TEST_F(MessageParserTest, CompactAndCaseInsensitiveNames) {
  ASSERT_TRUE(
      parse("OPTIONS sip:a@example.com SIP/2.0\r\n"
            "v: SIP/2.0/UDP h.example.com\r\nf: <sip:x@example.com>\r\n"
            "t: <sip:a@example.com>\r\ni: abc\r\nCSEQ: 1 OPTIONS\r\nl: 0\r\n"
            "m: <sip:x@h.example.com>\r\nk: path\r\nc: text/plain\r\ne: gzip\r\n"
            "s: hi\r\no: presence\r\nu: dialog\r\nr: <sip:c@example.com>\r\n"
            "x: 1800\r\na: *;audio\r\nj: *;video\r\nd: proxy\r\nb: <sip:r@example.com>\r\n"
            "y: abc\r\nn: <https://example.com/cert>\r\n\r\n"));
  EXPECT_NE(msg_.find(HeaderId::kVia), nullptr);
  EXPECT_NE(msg_.find(HeaderId::kFrom), nullptr);
  EXPECT_NE(msg_.find(HeaderId::kTo), nullptr);
  EXPECT_NE(msg_.find(HeaderId::kCallId), nullptr);
  EXPECT_NE(msg_.find(HeaderId::kCSeq), nullptr);
  EXPECT_NE(msg_.find(HeaderId::kContact), nullptr);
  EXPECT_NE(msg_.find(HeaderId::kSupported), nullptr);
  EXPECT_NE(msg_.find(HeaderId::kContentType), nullptr);
  EXPECT_NE(msg_.find(HeaderId::kContentEncoding), nullptr);
  EXPECT_NE(msg_.find(HeaderId::kSubject), nullptr);
  EXPECT_NE(msg_.find(HeaderId::kEvent), nullptr);
  EXPECT_NE(msg_.find(HeaderId::kAllowEvents), nullptr);
  EXPECT_NE(msg_.find(HeaderId::kReferTo), nullptr);
  EXPECT_NE(msg_.find(HeaderId::kSessionExpires), nullptr);
  EXPECT_NE(msg_.find(HeaderId::kAcceptContact), nullptr);
  EXPECT_NE(msg_.find(HeaderId::kRejectContact), nullptr);
  EXPECT_NE(msg_.find(HeaderId::kRequestDisposition), nullptr);
  EXPECT_NE(msg_.find(HeaderId::kReferredBy), nullptr);
  EXPECT_NE(msg_.find(HeaderId::kIdentity), nullptr);
  EXPECT_NE(msg_.find(HeaderId::kIdentityInfo), nullptr);
  EXPECT_TRUE(msg_.has_content_length);
  EXPECT_EQ(lookup_header_id("mAx-FoRwArDs"), HeaderId::kMaxForwards);
  EXPECT_EQ(lookup_header_id("X-Custom"), HeaderId::kUnknown);
  EXPECT_EQ(lookup_header_id("C%6Fntact"), HeaderId::kUnknown);
}

TEST_F(MessageParserTest, FoldedValuesAndSpaceBeforeColon) {
  ASSERT_TRUE(
      parse("OPTIONS sip:a@example.com SIP/2.0\r\n"
            "Subject  :  first\r\n  second\r\n\tthird  \r\n"
            "Route:\r\n <sip:p.example.com;lr>\r\n\r\n"));
  EXPECT_EQ(msg_.find(HeaderId::kSubject)->value, "first\r\n  second\r\n\tthird");
  EXPECT_EQ(msg_.find(HeaderId::kRoute)->value, "<sip:p.example.com;lr>");
}

TEST_F(MessageParserTest, LeadingCrlfIsIgnored) {
  ASSERT_TRUE(parse("\r\n\r\nOPTIONS sip:a@example.com SIP/2.0\r\nl: 0\r\n\r\n"));
  EXPECT_EQ(msg_.method, "OPTIONS");
}

TEST_F(MessageParserTest, DatagramBodyFraming) {
  // No Content-Length on a datagram: the body runs to the end.
  ASSERT_TRUE(parse("MESSAGE sip:a@example.com SIP/2.0\r\n\r\nhello"));
  EXPECT_EQ(msg_.body, "hello");
  // Octets past Content-Length are ignored.
  ASSERT_TRUE(parse("MESSAGE sip:a@example.com SIP/2.0\r\nl: 2\r\n\r\nhello"));
  EXPECT_EQ(msg_.body, "he");
  // More announced than present.
  auto r = parse("MESSAGE sip:a@example.com SIP/2.0\r\nl: 9\r\n\r\nhello");
  ASSERT_FALSE(r);
  EXPECT_EQ(r.error().where, "Content-Length");
}

TEST_F(MessageParserTest, ContentLengthGrammar) {
  EXPECT_FALSE(parse("MESSAGE sip:a@example.com SIP/2.0\r\nl: -1\r\n\r\n"));
  EXPECT_FALSE(parse("MESSAGE sip:a@example.com SIP/2.0\r\nl: 1x\r\n\r\nab"));
  EXPECT_FALSE(parse("MESSAGE sip:a@example.com SIP/2.0\r\nl:\r\n\r\n"));
  EXPECT_FALSE(parse("MESSAGE sip:a@example.com SIP/2.0\r\nl: 99999999999999\r\n\r\n"));
  auto r = parse("MESSAGE sip:a@example.com SIP/2.0\r\nl: 1\r\nContent-Length: 2\r\n\r\nab");
  ASSERT_FALSE(r);
  EXPECT_EQ(r.error().code, ParseErrorCode::kDuplicateHeader);
  EXPECT_TRUE(parse("MESSAGE sip:a@example.com SIP/2.0\r\nl: 2\r\nContent-Length: 2\r\n\r\nab"));
}

TEST_F(MessageParserTest, StreamRequiresContentLength) {
  auto r = parse("OPTIONS sip:a@example.com SIP/2.0\r\n\r\n", Framing::kStream);
  ASSERT_FALSE(r);
  EXPECT_EQ(r.error().code, ParseErrorCode::kMissingHeader);
}

TEST_F(MessageParserTest, MalformedHeaderLines) {
  EXPECT_FALSE(parse("OPTIONS sip:a@example.com SIP/2.0\r\nNoColonHere\r\n\r\n"));
  EXPECT_FALSE(parse("OPTIONS sip:a@example.com SIP/2.0\r\n: value\r\n\r\n"));
  EXPECT_FALSE(parse("OPTIONS sip:a@example.com SIP/2.0\r\nBad Name: v\r\n\r\n"));
  EXPECT_FALSE(parse("OPTIONS sip:a@example.com SIP/2.0\r\nX: bare\nY: lf\r\n\r\n"));
  EXPECT_FALSE(parse("OPTIONS sip:a@example.com SIP/2.0\nX: y\r\n\r\n"));
}

TEST_F(MessageParserTest, TruncationAtEveryPointIsAnErrorNotACrash) {
  for (size_t n = 0; n + 1 < kInvite.size(); ++n) {
    std::string cut = kInvite.substr(0, n);  // a copy: ASan sees any read past the end
    EXPECT_FALSE(parse(cut)) << "accepted a prefix of " << n << " octets";
  }
}

TEST_F(MessageParserTest, Limits) {
  MessageParser small(ParserLimits{200, 3});
  Message m;
  auto r = small.parse(kInvite, Framing::kDatagram, &m);
  ASSERT_FALSE(r);
  EXPECT_EQ(r.error().code, ParseErrorCode::kTooLarge);
  MessageParser few(ParserLimits{65535, 3});
  r = few.parse(kInvite, Framing::kDatagram, &m);
  ASSERT_FALSE(r);
  EXPECT_EQ(r.error().code, ParseErrorCode::kTooLarge);
}

TEST_F(MessageParserTest, ReusedMessageIsReset) {
  ASSERT_TRUE(parse(kInvite));
  ASSERT_TRUE(parse("SIP/2.0 100 Trying\r\n\r\n"));
  EXPECT_EQ(msg_.headers.size(), 0u);
  EXPECT_EQ(msg_.find(HeaderId::kVia), nullptr);
  EXPECT_FALSE(msg_.has_content_length);
}

TEST_F(MessageParserTest, ErrorNamesTheHeader) {
  auto r = parse("MESSAGE sip:a@example.com SIP/2.0\r\nContent-Length: abc\r\n\r\n");
  ASSERT_FALSE(r);
  EXPECT_EQ(r.error().where, "Content-Length");
  EXPECT_NE(r.error().to_string().find("Content-Length"), std::string::npos);
}

}  // namespace
}  // namespace sipedge::sip

namespace sipedge::sip {
namespace {

TEST(HeaderIdLookup, EveryCanonicalNameRoundTripsInAnyCase) {
  for (int i = 1; i < kHeaderIdCount; ++i) {
    auto id = static_cast<HeaderId>(i);
    std::string name(header_canonical_name(id));
    EXPECT_EQ(lookup_header_id(name), id) << name;
    std::string upper = name;
    for (char& c : upper) c = static_cast<char>(std::toupper(static_cast<unsigned char>(c)));
    EXPECT_EQ(lookup_header_id(upper), id) << upper;
  }
  EXPECT_EQ(lookup_header_id("V"), HeaderId::kVia);
  EXPECT_EQ(lookup_header_id("z"), HeaderId::kUnknown);
  EXPECT_EQ(lookup_header_id("Vias"), HeaderId::kUnknown);
  EXPECT_EQ(lookup_header_id("Content_Length"), HeaderId::kUnknown);
  EXPECT_EQ(lookup_header_id(""), HeaderId::kUnknown);
}

}  // namespace
}  // namespace sipedge::sip
