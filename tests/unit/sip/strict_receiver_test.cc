// The strict receiver's rules, one test per RFC section: UTF-8 text (RFC 3261 §25.1),
// credentials and challenges (§20.7, §20.44, §20.6; RFC 8760 algorithms), repeated
// headers (§7.3.1), the Status-Line SP (§7.2) and the header-count limit.
#include <gtest/gtest.h>

#include <string>

#include "sip/auth_headers.h"
#include "sip/message_parser.h"
#include "sip/message_validator.h"
#include "sip/text_utf8.h"

namespace sipedge::sip {
namespace {

const std::string kRequest =
    "OPTIONS sip:bob@example.com SIP/2.0\r\n"
    "Via: SIP/2.0/UDP h.example.com;branch=z9hG4bK1\r\n"
    "From: <sip:a@example.com>;tag=1\r\n"
    "To: <sip:bob@example.com>\r\n"
    "Call-ID: abc@h.example.com\r\n"
    "CSeq: 1 OPTIONS\r\n";
const std::string kResponseHeaders =
    "Via: SIP/2.0/UDP h.example.com;branch=z9hG4bK1\r\n"
    "From: <sip:a@example.com>;tag=1\r\n"
    "To: <sip:bob@example.com>;tag=2\r\n"
    "Call-ID: abc@h.example.com\r\n"
    "CSeq: 1 OPTIONS\r\n";
const std::string kMd5 = "6629fae49393a05397450978507c4ef1";

Expected<bool, ParseError> judge(const std::string& text) {
  static MessageParser parser;
  static Message msg;
  static std::string held;
  held = text;
  auto r = parser.parse(held, Framing::kDatagram, &msg);
  if (!r) return r;
  return validate_message(msg);
}

Expected<bool, ParseError> with_header(const std::string& row) {
  return judge(kRequest + row + "\r\n\r\n");
}

Expected<bool, ParseError> response(const std::string& status_line) {
  return judge(status_line + "\r\n" + kResponseHeaders + "\r\n");
}

TEST(Rfc3261_25_1_Utf8, NonAsciiSequences) {
  EXPECT_EQ(utf8_nonascii_length("\xc3\xa9", 0), 2u);
  EXPECT_EQ(utf8_nonascii_length("\xe2\x82\xac", 0), 3u);
  EXPECT_EQ(utf8_nonascii_length("\xf0\x9f\x98\x80", 0), 4u);
  EXPECT_EQ(utf8_nonascii_length("\xfc\x80\x80\x80\x80\x80", 0), 6u);  // RFC 3261 allows it
  EXPECT_EQ(utf8_nonascii_length("\xe2\x82", 0), 0u);                  // cut short
  EXPECT_EQ(utf8_nonascii_length("\xc3"
                                 "a",
                                 0),
            0u);  // no continuation
  EXPECT_EQ(utf8_nonascii_length("\xfe\x80", 0), 0u);
  EXPECT_EQ(utf8_nonascii_length("\xff", 0), 0u);
  EXPECT_EQ(utf8_nonascii_length("\x80", 0), 0u);  // a continuation is not a lead
}

TEST(Rfc3261_25_1_Utf8, ReasonPhrase) {
  EXPECT_TRUE(response("SIP/2.0 200 D\xc3\xa9j\xc3\xa0 vu"));
  EXPECT_TRUE(response("SIP/2.0 200 OK \x85"));  // UTF8-CONT alone is in its grammar
  EXPECT_FALSE(response("SIP/2.0 200 OK \xff"));
  EXPECT_FALSE(response("SIP/2.0 200 OK \xfe"));
  EXPECT_FALSE(response("SIP/2.0 200 \xe2\x82 OK"));
  EXPECT_FALSE(response("SIP/2.0 200 100% OK"));  // escaped = "%" HEXDIG HEXDIG
  EXPECT_TRUE(response("SIP/2.0 200 100%25 OK"));
}

TEST(Rfc3261_25_1_Utf8, QuotedStringsAndDisplayNames) {
  EXPECT_TRUE(with_header("Contact: \"Bj\xc3\xb6rn\" <sip:b@example.com>"));
  EXPECT_FALSE(with_header("Contact: \"Bj\x80rn\" <sip:b@example.com>"));
  EXPECT_FALSE(with_header("Contact: \"Bj\xc3rn\" <sip:b@example.com>"));
  EXPECT_FALSE(with_header("Contact: Bj\xc3\xb6rn <sip:b@example.com>"));  // token form is ASCII
}

TEST(Rfc3261_25_1_Utf8, SubjectOrganizationWarningComments) {
  EXPECT_TRUE(with_header("Subject: R\xc3\xa9union"));
  EXPECT_TRUE(with_header("Subject:"));
  EXPECT_FALSE(
      with_header("Subject: caf\xc3"
                  "e"));
  EXPECT_FALSE(with_header("Subject: \xff"));
  EXPECT_FALSE(with_header("Subject: a \x80"));  // TEXT-UTF8char has no lone UTF8-CONT
  EXPECT_FALSE(with_header("Organization: \xfe"));
  EXPECT_TRUE(with_header("Warning: 399 h.example.com \"caf\xc3\xa9\""));
  EXPECT_FALSE(with_header("Warning: 399 h.example.com \"caf\xc3\""));
  EXPECT_FALSE(with_header("Warning: 399 h\xc3\xa9.example.com \"x\""));
  EXPECT_TRUE(with_header("User-Agent: phone/1.0 (caf\xc3\xa9 (nested))"));
  EXPECT_FALSE(with_header("User-Agent: phone/1.0 (caf\xc3)"));
  EXPECT_FALSE(with_header("Server: phone/1.0 (unclosed"));
  EXPECT_FALSE(with_header("Retry-After: 10 (caf\xff)"));
}

TEST(Rfc3261_25_1_Utf8, ExtensionHeaderValues) {
  EXPECT_TRUE(with_header("X-Note: caf\xc3\xa9"));
  EXPECT_TRUE(with_header("X-Note: \x85"));  // header-value admits UTF8-CONT
  EXPECT_FALSE(with_header("X-Note: \xff"));
  EXPECT_FALSE(with_header("X-Note: \xc3"));
  EXPECT_FALSE(with_header("X-Note: long enough for the vector pass \xfe and more text"));
}

TEST(Rfc3261_20_7_Credentials, DigestResponse) {
  std::string full =
      "Digest username=\"bob\", realm=\"b.example.com\", nonce=\"n\", "
      "uri=\"sip:bob@b.example.com\", qop=auth, nc=00000001, cnonce=\"c\", "
      "response=\"" +
      kMd5 + "\", opaque=\"o\", algorithm=MD5";
  auto cred = parse_credentials(full, "Authorization");
  ASSERT_TRUE(cred) << cred.error().to_string();
  EXPECT_TRUE(cred->is_digest);
  EXPECT_EQ(cred->digest.username, "\"bob\"");
  EXPECT_EQ(cred->digest.nc, "00000001");
  EXPECT_TRUE(with_header("Authorization: " + full));
  EXPECT_TRUE(with_header("Proxy-Authorization: " + full));
}

TEST(Rfc3261_20_7_Credentials, GrammarFaults) {
  EXPECT_FALSE(parse_credentials("Digest username=\"bob\", realm", "A"));
  EXPECT_FALSE(parse_credentials("Digest username=\"bob, realm=\"x\"", "A"));
  EXPECT_FALSE(parse_credentials("Digest", "A"));
  EXPECT_FALSE(parse_credentials("Digest username=\"bob\",", "A"));
  EXPECT_FALSE(parse_credentials("Digest username=\"bob\",, realm=\"x\"", "A"));
  EXPECT_FALSE(parse_credentials("Digest username=bob", "A"));  // quoted-string
  EXPECT_FALSE(parse_credentials("Digest uri=\"not a uri\"", "A"));
  EXPECT_FALSE(parse_credentials("Digest nc=0000001", "A"));  // 8LHEX
  EXPECT_FALSE(parse_credentials("Digest nc=0000000G", "A"));
  EXPECT_FALSE(parse_credentials("Digest qop=\"auth\"", "A"));  // message-qop is a token
  EXPECT_FALSE(parse_credentials("Digest response=\"" + std::string(31, 'a') + "\"", "A"));
  EXPECT_FALSE(parse_credentials("Digest response=\"" + std::string(32, 'A') + "\"", "A"));
  EXPECT_FALSE(parse_credentials("Digest realm=\"a\", REALM=\"b\"", "A"));  // RFC 7235 §2.1
  EXPECT_FALSE(with_header("Authorization: Digest username=\"bob\", realm"));
  EXPECT_TRUE(parse_credentials("NoOneKnowsThisScheme opaque-data=here", "A"));
  EXPECT_FALSE(parse_credentials("NoOneKnowsThisScheme", "A"));
}

TEST(Rfc8760_2_7_Algorithms, ResponseLengthFollowsTheAlgorithm) {
  auto with = [](const std::string& alg, size_t digits) {
    return parse_credentials(
               "Digest algorithm=" + alg + ", response=\"" + std::string(digits, 'b') + "\"", "A")
        .has_value();
  };
  EXPECT_TRUE(with("MD5", 32));
  EXPECT_TRUE(with("md5-sess", 32));
  EXPECT_FALSE(with("MD5", 64));
  for (const char* alg : {"SHA-256", "SHA-256-sess", "SHA-512-256", "SHA-512-256-sess"}) {
    EXPECT_TRUE(with(alg, 64)) << alg;
    EXPECT_FALSE(with(alg, 32)) << alg;
  }
  EXPECT_TRUE(with("Future-Hash", 96));  // unknown algorithms: any LHEX length
  EXPECT_FALSE(parse_credentials("Digest algorithm=\"SHA-256\"", "A"));  // a token, unquoted
}

TEST(Rfc3261_20_44_Challenges, DigestChallenge) {
  auto c = parse_challenge(
      "Digest realm=\"atlanta.com\", domain=\"sip:ss1.carrier.com /path\", qop=\"auth,auth-int\", "
      "nonce=\"f84f1cec41e6cbe5aea9c8e88d359\", opaque=\"\", stale=FALSE, algorithm=SHA-256",
      "WWW-Authenticate");
  ASSERT_TRUE(c) << c.error().to_string();
  EXPECT_EQ(c->digest.stale, "FALSE");
  EXPECT_FALSE(parse_challenge("Digest realm=\"a\", stale=maybe", "W"));
  EXPECT_FALSE(parse_challenge("Digest realm=\"a\", qop=auth", "W"));  // qop-options is quoted
  EXPECT_FALSE(parse_challenge("Digest realm=\"a\", domain=\"\"", "W"));
  EXPECT_FALSE(parse_challenge("Digest realm=a", "W"));
  EXPECT_FALSE(judge("SIP/2.0 401 Unauthorized\r\n" + kResponseHeaders +
                     "WWW-Authenticate: Digest\r\n\r\n"));
  EXPECT_TRUE(judge("SIP/2.0 407 Proxy Authentication Required\r\n" + kResponseHeaders +
                    "Proxy-Authenticate: Digest realm=\"a\", nonce=\"1\"\r\n"
                    "Proxy-Authenticate: Digest realm=\"b\", nonce=\"2\"\r\n\r\n"));
}

TEST(Rfc3261_20_6_AuthenticationInfo, Ainfo) {
  EXPECT_TRUE(
      parse_authentication_info("nextnonce=\"47364c23432d2e131a5fb210812c\", qop=auth, rspauth=\"" +
                                    kMd5 + "\", cnonce=\"0a4f113b\", nc=00000001",
                                "Authentication-Info"));
  EXPECT_FALSE(parse_authentication_info("realm=\"x\"", "Authentication-Info"));
  EXPECT_FALSE(parse_authentication_info("rspauth=\"XYZ\"", "Authentication-Info"));
  EXPECT_FALSE(parse_authentication_info("nextnonce=\"a\", nextnonce=\"b\"", "AI"));
  EXPECT_FALSE(with_header("Authentication-Info: nextnonce"));
}

TEST(Rfc3261_7_3_1_RepeatedHeaders, SingleValueHeadersAppearOnce) {
  for (const char* row :
       {"To: <sip:bob@example.com>", "t: <sip:bob@example.com>", "Call-ID: abc@h.example.com",
        "Content-Length: 0", "From: <sip:a@example.com>;tag=1", "CSeq: 1 OPTIONS",
        "Max-Forwards: 70\r\nMax-Forwards: 70", "Subject: a\r\nSubject: a",
        "Priority: urgent\r\nPriority: urgent"}) {
    auto r = judge(kRequest + row + "\r\nContent-Length: 0\r\n\r\n");
    ASSERT_FALSE(r) << row;
    EXPECT_EQ(r.error().code, ParseErrorCode::kDuplicateHeader) << row;
  }
  // List headers and the §7.3.1 exceptions may repeat.
  EXPECT_TRUE(with_header("Via: SIP/2.0/UDP p.example.com;branch=z9hG4bK2"));
  EXPECT_TRUE(with_header("Supported: timer\r\nSupported: 100rel"));
  EXPECT_TRUE(with_header("Authorization: Basic a=b\r\nAuthorization: Basic c=d"));
}

TEST(Rfc3261_7_2_StatusLine, SpBeforeAnEmptyReasonPhrase) {
  MessageParser parser;
  Message m;
  std::string no_sp = "SIP/2.0 180\r\n" + kResponseHeaders + "\r\n";
  auto r = parser.parse(no_sp, Framing::kDatagram, &m);
  ASSERT_FALSE(r);
  EXPECT_EQ(r.error().code, ParseErrorCode::kBadStartLine);
  std::string sp = "SIP/2.0 180 \r\n" + kResponseHeaders + "\r\n";
  ASSERT_TRUE(parser.parse(sp, Framing::kDatagram, &m));
  EXPECT_EQ(m.reason, "");
}

TEST(HeaderCountLimit, ErrorNamesTheLimitAndTheCount) {
  MessageParser parser(ParserLimits{65535, 4});
  Message m;
  std::string text = kRequest + "Max-Forwards: 70\r\nX-Folded: a\r\n b\r\n\r\n";  // 7 fields
  auto r = parser.parse(text, Framing::kDatagram, &m);
  ASSERT_FALSE(r);
  EXPECT_EQ(r.error().code, ParseErrorCode::kTooLarge);
  EXPECT_EQ(r.error().limit, 4u);
  EXPECT_EQ(r.error().count, 7u);
  EXPECT_EQ(r.error().where, "headers");
  std::string s = r.error().to_string();
  EXPECT_NE(s.find("limit 4"), std::string::npos) << s;
  EXPECT_NE(s.find("has 7"), std::string::npos) << s;
}

}  // namespace
}  // namespace sipedge::sip
