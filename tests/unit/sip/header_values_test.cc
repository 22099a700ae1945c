#include <gtest/gtest.h>

#include <string>
#include <vector>

#include "sip/name_addr.h"
#include "sip/scalar_headers.h"
#include "sip/value_scanner.h"
#include "sip/via.h"

namespace sipedge::sip {
namespace {

std::vector<std::string> split(std::string_view value, bool* error) {
  std::vector<std::string> out;
  std::string_view rest = value, e;
  while (next_list_element(&rest, &e, error)) out.emplace_back(e);
  return out;
}

TEST(ListSplit, CommasInsideQuotesAndAnglesDoNotSplit) {
  bool error = false;
  auto parts =
      split(R"("Doe, John" <sip:j@example.com;a=b,c>, <sip:k@example.com> ;q=0.5)", &error);
  EXPECT_FALSE(error);
  ASSERT_EQ(parts.size(), 2u);
  EXPECT_EQ(parts[0], R"("Doe, John" <sip:j@example.com;a=b,c>)");
  EXPECT_EQ(parts[1], "<sip:k@example.com> ;q=0.5");
}

TEST(ListSplit, EscapedQuoteAndFoldedList) {
  bool error = false;
  auto parts = split("\"a \\\" b, c\" <sip:x@example.com>,\r\n <sip:y@example.com>", &error);
  EXPECT_FALSE(error);
  ASSERT_EQ(parts.size(), 2u);
  EXPECT_EQ(parts[1], "<sip:y@example.com>");
}

TEST(ListSplit, UnbalancedQuoteIsAnError) {
  bool error = false;
  split("\"open <sip:x@example.com>", &error);
  EXPECT_TRUE(error);
  split("<sip:x@example.com", &error);
  EXPECT_TRUE(error);
}

TEST(ListSplit, TrailingCommaYieldsEmptyElement) {
  bool error = false;
  auto parts = split("a,", &error);
  ASSERT_EQ(parts.size(), 2u);
  EXPECT_EQ(parts[1], "");
}

TEST(NameAddr, QuotedDisplayNameAndTag) {
  auto na =
      parse_name_addr(R"("J Rosenberg \\\"" <sip:jdrosen@example.com> ; tag = 98asjd8)", "From");
  ASSERT_TRUE(na) << na.error().to_string();
  EXPECT_TRUE(na->angle_brackets);
  EXPECT_EQ(na->display_name, R"("J Rosenberg \\\"")");
  EXPECT_EQ(na->uri.user, "jdrosen");
  EXPECT_EQ(na->tag, "98asjd8");
}

TEST(NameAddr, TokenDisplayNameAndNoSpaceBeforeAngle) {
  auto na = parse_name_addr("token1~` token2'+_ <sip:m@example.com>", "From");
  ASSERT_TRUE(na);
  EXPECT_EQ(na->display_name, "token1~` token2'+_");
  auto tight = parse_name_addr("\"caller\"<sip:caller@example.com>;tag=323", "From");
  ASSERT_TRUE(tight);
  EXPECT_EQ(tight->tag, "323");
}

TEST(NameAddr, AddrSpecParamsBelongToTheHeader) {
  auto na = parse_name_addr("sip:c@example.com;unknownparam;tag=x", "Contact");
  ASSERT_TRUE(na);
  EXPECT_FALSE(na->angle_brackets);
  EXPECT_TRUE(na->uri.params.empty());
  EXPECT_EQ(na->params, "unknownparam;tag=x");
  auto inside = parse_name_addr("<sip:c@example.com;unknownparam>", "Contact");
  ASSERT_TRUE(inside);
  EXPECT_EQ(inside->uri.params, "unknownparam");
  EXPECT_TRUE(inside->params.empty());
}

TEST(NameAddr, Rejections) {
  EXPECT_FALSE(parse_name_addr("< sip:t@example.org >", "To"));
  EXPECT_FALSE(parse_name_addr("\"unterminated <sip:t@example.org>", "To"));
  EXPECT_FALSE(parse_name_addr("Bell, Alexander <sip:a@example.com>", "From"));
  EXPECT_FALSE(parse_name_addr("sip:u@example.com?Route=%3Csip:x%3E", "Contact"));
  EXPECT_FALSE(parse_name_addr("sip:u@example.com", "Route", NameAddrForm::kNameAddrOnly));
  EXPECT_FALSE(parse_name_addr("<sip:u@example.com>;;", "Contact"));
  EXPECT_FALSE(parse_name_addr("<sip:u@example.com>;tag=", "From"));
  EXPECT_FALSE(parse_name_addr("<sip:u@example.com> junk", "From"));
  EXPECT_FALSE(parse_name_addr("<sip:u@example.com", "From"));
}

TEST(NameAddr, NonSipSchemes) {
  EXPECT_TRUE(parse_name_addr("isbn:2983792873", "To"));
  EXPECT_TRUE(parse_name_addr("<http://www.example.com>;tag=3234233", "From"));
  EXPECT_TRUE(parse_name_addr("<tel:+15551234>", "To"));
}

TEST(Via, FullForm) {
  auto v = parse_via(
      "SIP/2.0/UDP 192.0.2.1:5060;branch=z9hG4bK776;received=192.0.2.9;rport=5061;"
      "ttl=16;maddr=224.2.0.1");
  ASSERT_TRUE(v) << v.error().to_string();
  EXPECT_EQ(v->protocol_name, "SIP");
  EXPECT_EQ(v->protocol_version, "2.0");
  EXPECT_EQ(v->transport, "UDP");
  EXPECT_EQ(v->host, "192.0.2.1");
  EXPECT_EQ(v->port, 5060);
  EXPECT_EQ(v->branch, "z9hG4bK776");
  EXPECT_EQ(v->received, "192.0.2.9");
  EXPECT_TRUE(v->has_rport);
  EXPECT_EQ(v->rport, 5061);
  EXPECT_EQ(v->ttl, 16);
}

TEST(Via, WhitespaceAroundSlashesAndColon) {
  auto v = parse_via("SIP  /   2.0\r\n /UDP\r\n    192.0.2.2 : 5070 ;branch=390skdjuw");
  ASSERT_TRUE(v) << v.error().to_string();
  EXPECT_EQ(v->transport, "UDP");
  EXPECT_EQ(v->port, 5070);
  EXPECT_EQ(v->branch, "390skdjuw");
}

TEST(Via, IPv6SentByAndReceivedWithOrWithoutBrackets) {
  auto v = parse_via("SIP/2.0/UDP [2001:db8::9:1]:5070;received=[2001:db8::9:255];branch=z9hG4bKa");
  ASSERT_TRUE(v);
  EXPECT_EQ(v->host, "2001:db8::9:1");
  EXPECT_EQ(v->host_kind, HostKind::kIPv6);
  EXPECT_EQ(v->received, "2001:db8::9:255");
  auto bare = parse_via("SIP/2.0/UDP [2001:db8::9:1];received=2001:db8::9:255");
  ASSERT_TRUE(bare);
  EXPECT_EQ(bare->received, "2001:db8::9:255");
  EXPECT_FALSE(bare->has_port);
}

TEST(Via, RportWithoutValueAndUnknownTransport) {
  auto v = parse_via("SIP/2.0/UNKNOWN t4.example.com;rport;branch=z9hG4bKasd0f3en");
  ASSERT_TRUE(v);
  EXPECT_EQ(v->transport, "UNKNOWN");
  EXPECT_TRUE(v->has_rport);
  EXPECT_EQ(v->rport, 0);
}

TEST(Via, Rejections) {
  EXPECT_FALSE(parse_via("SIP/2.0/UDP 192.0.2.15;;"));
  EXPECT_FALSE(parse_via("SIP/2.0/UDP"));
  EXPECT_FALSE(parse_via("SIP/2.0 192.0.2.1"));
  EXPECT_FALSE(parse_via("SIP/2.0/UDP 192.0.2.1:99999"));
  EXPECT_FALSE(parse_via("SIP/2.0/UDP 192.0.2.1;received=host.example.com"));
  EXPECT_FALSE(parse_via("SIP/2.0/UDP 192.0.2.1;ttl=300"));
  EXPECT_FALSE(parse_via("SIP/2.0/UDP 192.0.2.1;branch"));
  EXPECT_FALSE(parse_via("SIP/2.0/UDP 2001:db8::1"));
}

TEST(CSeq, ParsesAndBounds) {
  auto c = parse_cseq("0009\r\n  INVITE", "CSeq");
  ASSERT_TRUE(c);
  EXPECT_EQ(c->number, 9u);
  EXPECT_EQ(c->method, "INVITE");
  EXPECT_TRUE(parse_cseq("2147483647 ACK", "CSeq"));
  EXPECT_FALSE(parse_cseq("2147483648 ACK", "CSeq"));
  EXPECT_FALSE(parse_cseq("36893488147419103232 REGISTER", "CSeq"));
  EXPECT_FALSE(parse_cseq("12", "CSeq"));
  EXPECT_FALSE(parse_cseq("12 INVITE x", "CSeq"));
  EXPECT_FALSE(parse_cseq("-1 INVITE", "CSeq"));
}

TEST(MaxForwards, Range) {
  EXPECT_EQ(*parse_max_forwards("0068", "Max-Forwards"), 68);
  EXPECT_EQ(*parse_max_forwards("255", "Max-Forwards"), 255);
  EXPECT_FALSE(parse_max_forwards("256", "Max-Forwards"));
  EXPECT_FALSE(parse_max_forwards("", "Max-Forwards"));
  EXPECT_FALSE(parse_max_forwards("7a", "Max-Forwards"));
}

TEST(ScalarHeaders, CallIdDateWarningMediaType) {
  EXPECT_TRUE(valid_call_id("intmeth.word%ZK-!.*_+'@word`~)(><:\\/\"][?}{"));
  EXPECT_FALSE(valid_call_id("a b"));
  EXPECT_FALSE(valid_call_id("a@"));
  EXPECT_TRUE(valid_date("Sat, 13 Nov 2010 23:29:00 GMT"));
  EXPECT_FALSE(valid_date("Fri, 01 Jan 2010 16:00:00 EST"));
  EXPECT_TRUE(valid_warning("370 devnull \"Choose a bigger pipe\""));
  EXPECT_FALSE(valid_warning("1812 overture \"In Progress\""));
  EXPECT_TRUE(valid_media_type("multipart/mixed;boundary=7a9cbec02ceef655"));
  EXPECT_FALSE(valid_media_type("application"));
  EXPECT_TRUE(valid_delta_seconds_with_params("949302838503028349304023988", true));
  EXPECT_TRUE(valid_delta_seconds_with_params("18000 (in five hours);duration=3600", true));
  EXPECT_FALSE(valid_delta_seconds_with_params("soon", true));
  EXPECT_TRUE(valid_token_list("", true));
  EXPECT_FALSE(valid_token_list("", false));
  EXPECT_FALSE(valid_token_list("foo,,bar", false));
  EXPECT_TRUE(valid_accept(""));
  EXPECT_TRUE(valid_accept("application/sdp, */*;q=0.5"));
}

}  // namespace
}  // namespace sipedge::sip
