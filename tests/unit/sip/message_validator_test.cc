#include "sip/message_validator.h"

#include <gtest/gtest.h>

#include <string>

#include "sip/message_parser.h"

namespace sipedge::sip {
namespace {

const std::string kHead = "OPTIONS sip:bob@example.com SIP/2.0\r\n";
const std::string kBase =
    "Via: SIP/2.0/UDP h.example.com;branch=z9hG4bK1\r\n"
    "From: <sip:a@example.com>;tag=1\r\n"
    "To: <sip:bob@example.com>\r\n"
    "Call-ID: abc@h.example.com\r\n"
    "CSeq: 1 OPTIONS\r\n";

// Keeps the last message alive: the views in a Message and in a ParseError point into it.
Expected<bool, ParseError> judge(const std::string& text) {
  static MessageParser parser;
  static Message msg;
  static std::string held;
  held = text;
  auto r = parser.parse(held, Framing::kDatagram, &msg);
  if (!r) return r;
  return validate_message(msg);
}

TEST(Validator, MinimalRequestIsValid) {
  auto r = judge(kHead + kBase + "\r\n");
  EXPECT_TRUE(r) << r.error().to_string();
}

TEST(Validator, MandatoryHeaders) {
  auto r = judge(kHead + "Via: SIP/2.0/UDP h.example.com\r\nCSeq: 1 OPTIONS\r\n\r\n");
  ASSERT_FALSE(r);
  EXPECT_EQ(r.error().code, ParseErrorCode::kMissingHeader);
}

TEST(Validator, CSeqMethodMustMatch) {
  std::string text = kHead + kBase;
  text.replace(text.find("1 OPTIONS"), 9, "1 INVITE");
  auto r = judge(text + "\r\n");
  ASSERT_FALSE(r);
  EXPECT_EQ(r.error().code, ParseErrorCode::kMismatch);
  EXPECT_EQ(r.error().where, "CSeq");
}

TEST(Validator, ConflictingSingleValueHeaders) {
  auto r = judge(kHead + kBase + "Call-ID: other@h.example.com\r\n\r\n");
  ASSERT_FALSE(r);
  EXPECT_EQ(r.error().code, ParseErrorCode::kDuplicateHeader);
  EXPECT_FALSE(judge(kHead + kBase + "To: <sip:carol@example.com>\r\n\r\n"));
  EXPECT_FALSE(judge(kHead + kBase + "Max-Forwards: 70\r\nMax-Forwards: 69\r\n\r\n"));
}

TEST(Validator, MultiValueHeadersMaySplitOrRepeat) {
  EXPECT_TRUE(
      judge(kHead + kBase +
            "Via: SIP/2.0/TCP p1.example.com;branch=z9hG4bK2, SIP/2.0/UDP p2.example.com\r\n"
            "Route: <sip:p1.example.com;lr>,<sip:p2.example.com;lr>\r\n"
            "Route: <sip:p3.example.com;lr>\r\n"
            "Contact: <sip:a@h1.example.com>;q=0.7, \"B\" <sip:a@h2.example.com>;expires=60\r\n"
            "\r\n"));
}

TEST(Validator, EmptyListElementsAreRejected) {
  EXPECT_FALSE(judge(kHead + kBase + "Route: <sip:p1.example.com;lr>,\r\n\r\n"));
  EXPECT_FALSE(judge(kHead + kBase + "Contact: <sip:a@h.example.com>;;\r\n\r\n"));
}

TEST(Validator, RouteMustBeNameAddr) {
  EXPECT_FALSE(judge(kHead + kBase + "Route: sip:p1.example.com;lr\r\n\r\n"));
}

TEST(Validator, ContactWildcardAndParams) {
  EXPECT_TRUE(judge(kHead + kBase + "Contact: *\r\n\r\n"));
  EXPECT_FALSE(judge(kHead + kBase + "Contact: <sip:a@h.example.com>;q=2\r\n\r\n"));
  EXPECT_FALSE(judge(kHead + kBase + "Contact: <sip:a@h.example.com>;expires=soon\r\n\r\n"));
}

TEST(Validator, UnknownHeadersAreNotJudged) {
  EXPECT_TRUE(judge(kHead + kBase + "UnknownHeaderWithUnusualValue: ;;,,;;,;\r\n\r\n"));
}

TEST(Validator, ControlBytesOnlyAsQuotedPairsOrFolds) {
  EXPECT_FALSE(judge(kHead + kBase + "Subject: a\rb\r\n\r\n"));
  EXPECT_FALSE(judge(kHead + kBase + std::string("X-Thing: a\0b\r\n\r\n", 16)));
  EXPECT_TRUE(judge(kHead + kBase + "Subject: a\r\n b\r\n\r\n"));
  EXPECT_TRUE(
      judge(kHead + kBase + std::string("Contact: \"a\\\0b\" <sip:c@h.example.com>\r\n\r\n", 41)));
}

TEST(Validator, KnownScalarsAreJudged) {
  EXPECT_FALSE(judge(kHead + kBase + "Max-Forwards: 300\r\n\r\n"));
  EXPECT_FALSE(judge(kHead + kBase + "Date: Fri, 01 Jan 2010 16:00:00 EST\r\n\r\n"));
  EXPECT_FALSE(judge(kHead + kBase + "Content-Type: sdp\r\n\r\n"));
  EXPECT_FALSE(judge(kHead + kBase + "Require: \r\n\r\n"));
  EXPECT_FALSE(judge(kHead + kBase + "Expires: 1 hour\r\n\r\n"));
  // Overlarge Expires saturates (RFC 3261 §20.19), it is not an error.
  EXPECT_TRUE(judge(kHead + kBase + "Expires: 100000000000000000000000000\r\n\r\n"));
}

TEST(Validator, ResponsesNeedTheSameMandatoryHeaders) {
  EXPECT_TRUE(judge("SIP/2.0 200 OK\r\n" + kBase + "\r\n"));
  EXPECT_FALSE(judge("SIP/2.0 200 OK\r\nCSeq: 1 OPTIONS\r\n\r\n"));
}

}  // namespace
}  // namespace sipedge::sip
