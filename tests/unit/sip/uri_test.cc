#include "sip/uri.h"

#include <gtest/gtest.h>

#include <string>

namespace sipedge::sip {
namespace {

Uri must_parse(std::string_view text) {
  auto r = parse_uri(text, "test");
  EXPECT_TRUE(r.has_value()) << text << ": " << (r ? "" : r.error().to_string());
  return r ? *r : Uri{};
}

bool rejects(std::string_view text) { return !parse_uri(text, "test").has_value(); }

TEST(Uri, SipWithUserHostPortParamsHeaders) {
  Uri u = must_parse("sip:alice:secret@example.com:5070;transport=tcp;lr?Subject=hi&X=1");
  EXPECT_EQ(u.scheme, UriScheme::kSip);
  EXPECT_EQ(u.user, "alice");
  EXPECT_EQ(u.password, "secret");
  EXPECT_EQ(u.host, "example.com");
  EXPECT_EQ(u.host_kind, HostKind::kName);
  EXPECT_TRUE(u.has_port);
  EXPECT_EQ(u.port, 5070);
  EXPECT_EQ(u.transport(), "tcp");
  EXPECT_TRUE(u.lr());
  EXPECT_TRUE(u.has_headers);
  EXPECT_EQ(u.headers, "Subject=hi&X=1");
}

TEST(Uri, SchemeIsCaseInsensitive) {
  EXPECT_EQ(must_parse("SIPS:bob@Example.COM").scheme, UriScheme::kSips);
  EXPECT_EQ(must_parse("Sip:example.com").scheme, UriScheme::kSip);
}

TEST(Uri, NoUserPart) {
  Uri u = must_parse("sip:example.com");
  EXPECT_FALSE(u.has_user);
  EXPECT_FALSE(u.has_port);
}

TEST(Uri, IPv4Host) {
  Uri u = must_parse("sip:192.0.2.1:5060");
  EXPECT_EQ(u.host_kind, HostKind::kIPv4);
  EXPECT_EQ(u.host, "192.0.2.1");
  EXPECT_TRUE(rejects("sip:192.0.2.256"));
  EXPECT_TRUE(rejects("sip:192.0.2"));
}

TEST(Uri, IPv6ReferenceWithAndWithoutPort) {
  Uri u = must_parse("sip:[2001:db8::10]:5070");
  EXPECT_EQ(u.host_kind, HostKind::kIPv6);
  EXPECT_EQ(u.host, "2001:db8::10");
  EXPECT_EQ(u.port, 5070);
  // RFC 5118 §4.3: inside the brackets it is part of the address.
  Uri amb = must_parse("sip:[2001:db8::10:5070]");
  EXPECT_EQ(amb.host, "2001:db8::10:5070");
  EXPECT_FALSE(amb.has_port);
}

TEST(Uri, IPv6Forms) {
  EXPECT_TRUE(is_ipv6_address("::1"));
  EXPECT_TRUE(is_ipv6_address("2001:db8::192.0.2.1"));
  EXPECT_TRUE(is_ipv6_address("2001:db8:::192.0.2.1"));  // RFC 5118 §4.10 tolerance
  EXPECT_TRUE(is_ipv6_address("::ffff:192.0.2.10"));
  EXPECT_TRUE(is_ipv6_address("1:2:3:4:5:6:7:8"));
  EXPECT_FALSE(is_ipv6_address("1:2:3:4:5:6:7"));
  EXPECT_FALSE(is_ipv6_address("1:2:3:4:5:6:7:8:9"));
  EXPECT_FALSE(is_ipv6_address("1::2::3"));
  EXPECT_FALSE(is_ipv6_address("12345::1"));
  EXPECT_FALSE(is_ipv6_address("g::1"));
}

TEST(Uri, IPv6WithoutBracketsIsRejected) { EXPECT_TRUE(rejects("sip:2001:db8::10")); }

TEST(Uri, UserPartMayHoldSemicolonsAndQuestionMarks) {
  Uri u = must_parse("sip:user;par=u%40example.net@example.com");
  EXPECT_EQ(u.user, "user;par=u%40example.net");
  EXPECT_EQ(u.host, "example.com");
  EXPECT_TRUE(u.params.empty());
}

TEST(Uri, EscapesAreKeptRawAndDecodable) {
  Uri u = must_parse("sip:%75se%72@example.com");
  EXPECT_EQ(u.user, "%75se%72");
  std::string plain;
  ASSERT_TRUE(unescape_uri_component(u.user, &plain));
  EXPECT_EQ(plain, "user");
  std::string nul;
  ASSERT_TRUE(unescape_uri_component("a%00b", &nul));
  EXPECT_EQ(nul, std::string("a\0b", 3));
  EXPECT_TRUE(rejects("sip:us%4@example.com"));
  EXPECT_TRUE(rejects("sip:us%zz@example.com"));
}

TEST(Uri, KnownParametersAreChecked) {
  EXPECT_TRUE(must_parse("sip:h.example.com;ttl=255").has_port == false);
  EXPECT_TRUE(rejects("sip:h.example.com;ttl=256"));
  EXPECT_TRUE(rejects("sip:h.example.com;maddr=not_a_host"));
  EXPECT_TRUE(rejects("sip:h.example.com;transport="));
  EXPECT_TRUE(rejects("sip:h.example.com;;lr"));
  EXPECT_TRUE(rejects("sip:h.example.com;lr;"));
  Uri u = must_parse("sip:h.example.com;maddr=239.255.255.1;user=phone;method=INVITE");
  UriParam p;
  ASSERT_TRUE(u.find_param("MADDR", &p));
  EXPECT_EQ(p.value, "239.255.255.1");
}

TEST(Uri, HostGrammar) {
  EXPECT_TRUE(rejects("sip:host_name.example.com"));
  EXPECT_TRUE(rejects("sip:-bad.example.com"));
  EXPECT_TRUE(rejects("sip:example.123"));
  EXPECT_TRUE(rejects("sip:user@"));
  EXPECT_TRUE(rejects("sip:"));
  must_parse("sip:example.com.");
  must_parse("sip:a-b.c-d.example");
}

TEST(Uri, PortBounds) {
  EXPECT_TRUE(rejects("sip:example.com:65536"));
  EXPECT_TRUE(rejects("sip:example.com:"));
  EXPECT_TRUE(rejects("sip:example.com:5x"));
  EXPECT_EQ(must_parse("sip:example.com:65535").port, 65535);
}

TEST(Uri, TelUri) {
  Uri u = must_parse("tel:+1-201-555-0123;phone-context=example.com");
  EXPECT_EQ(u.scheme, UriScheme::kTel);
  EXPECT_EQ(u.user, "+1-201-555-0123");
  UriParam p;
  EXPECT_TRUE(u.find_param("phone-context", &p));
  EXPECT_TRUE(rejects("tel:"));
  EXPECT_TRUE(rejects("tel:12+34"));
}

TEST(Uri, OtherAbsoluteUris) {
  EXPECT_EQ(must_parse("soap.beep://192.0.2.103:3002").scheme, UriScheme::kOther);
  EXPECT_EQ(must_parse("isbn:2983792873").opaque, "2983792873");
  must_parse("http://www.example.com");
  EXPECT_TRUE(rejects("1abc:foo"));
  EXPECT_TRUE(rejects("<sip:foo@example.com>"));
  EXPECT_TRUE(rejects("mailto:a b"));
}

TEST(Uri, NextParamWalksAndFlagsEmptyOnes) {
  std::string_view params = "a=1;b;c=x";
  UriParam p;
  ASSERT_TRUE(next_param(&params, &p));
  EXPECT_EQ(p.name, "a");
  EXPECT_EQ(p.value, "1");
  ASSERT_TRUE(next_param(&params, &p));
  EXPECT_EQ(p.name, "b");
  EXPECT_FALSE(p.has_value);
  ASSERT_TRUE(next_param(&params, &p));
  EXPECT_EQ(p.value, "x");
  EXPECT_FALSE(next_param(&params, &p));
  EXPECT_TRUE(params.empty());
}

}  // namespace
}  // namespace sipedge::sip
