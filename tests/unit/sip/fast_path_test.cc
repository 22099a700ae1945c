// The fast recognisers (fast_path.h) against the full grammar: whenever one says "valid",
// the full parser must agree (with the same fields, for a URI); they may only step aside,
// never accept something RFC 3261 rejects. And the shapes real traffic carries must take
// the fast path, or the strict receiver loses its speed (bench/sip).
#include "sip/fast_path.h"

#include <gtest/gtest.h>

#include <string>
#include <string_view>
#include <vector>

#include "sip/name_addr.h"
#include "sip/scalar_headers.h"
#include "sip/uri.h"
#include "sip/value_scanner.h"
#include "sip/via.h"

namespace sipedge::sip {
namespace {

// What the validator does with a list header: split at top-level commas, judge each.
template <typename ParseElement>
bool full_list_ok(std::string_view value, ParseElement&& parse_element) {
  std::string_view rest = value;
  std::string_view element;
  bool error = false;
  int n = 0;
  while (next_list_element(&rest, &element, &error)) {
    if (element.empty() || !parse_element(element)) return false;
    ++n;
  }
  return !error && n > 0;
}

bool full_via_ok(std::string_view value) {
  return full_list_ok(value, [](std::string_view e) { return parse_via(e).has_value(); });
}

bool full_name_addrs_ok(std::string_view value, NameAddrForm form, bool in_list) {
  if (!in_list) return !value.empty() && parse_name_addr(value, "To", form).has_value();
  return full_list_ok(
      value, [form](std::string_view e) { return parse_name_addr(e, "Route", form).has_value(); });
}

void expect_same_uri(const Uri& a, const Uri& b) {
  EXPECT_EQ(a.scheme, b.scheme);
  EXPECT_EQ(a.scheme_text, b.scheme_text);
  EXPECT_EQ(a.user, b.user);
  EXPECT_EQ(a.password, b.password);
  EXPECT_EQ(a.has_user, b.has_user);
  EXPECT_EQ(a.host, b.host);
  EXPECT_EQ(a.host_kind, b.host_kind);
  EXPECT_EQ(a.port, b.port);
  EXPECT_EQ(a.has_port, b.has_port);
  EXPECT_EQ(a.params, b.params);
  EXPECT_EQ(a.headers, b.headers);
  EXPECT_EQ(a.has_headers, b.has_headers);
  EXPECT_EQ(a.opaque, b.opaque);
  EXPECT_EQ(a.text, b.text);
}

// Common shapes and the corner cases around them (RFC 3261 §19.1, §25.1; RFC 4475).
const std::vector<std::string> kUris = {
    "sip:+15551234567@carrier.example.net;user=phone",
    "sip:alice@atlanta.example.com",
    "SIP:Alice@Atlanta.Example.COM:5061;Transport=TCP;lr",
    "sips:bob@192.0.2.4:5061",
    "sip:edge1.example.com;lr",
    "sip:example.com.",
    "sip:host;x=a@b",
    "sip:a,b@c",
    "sip:user:pw@host",
    "sip:user@host?subject=x",
    "sip:%61lice@host",
    "sip:[2001:db8::1]:5060",
    "sip:1.2.3.4.",
    "sip:1.2.3",
    "sip:256.1.1.1",
    "sip:1.2.3.4a",
    "sip:123.example.com",
    "sip:example.123",
    "sip:-bad.example.com",
    "sip:bad-.example.com",
    "sip:a..b",
    "sip:host:",
    "sip:host:65535",
    "sip:host:65536",
    "sip:host:005060",
    "sip:host;ttl=255;maddr=192.0.2.1",
    "sip:host;ttl=256",
    "sip:host;maddr=bad_host",
    "sip:host;transport=",
    "sip:host;method=INV[ITE",
    "sip:host;;lr",
    "sip:host;",
    "sip:host;a=b=c",
    "sip:@host",
    "sip:",
    "sips:",
    "sipx:host",
    "tel:+15551234567",
};

TEST(FastPath, SipUriAgreesWithParseUri_RFC3261_19_1) {
  for (const std::string& text : kUris) {
    SCOPED_TRACE(text);
    Uri fast;
    if (!fast_parse_sip_uri(text, &fast)) continue;
    auto full = parse_uri(text, "Request-URI");
    ASSERT_TRUE(full.has_value());
    expect_same_uri(fast, *full);
  }
}

TEST(FastPath, CommonUrisTakeTheFastPath) {
  for (std::string_view text :
       {"sip:+15551234567@carrier.example.net;user=phone", "sip:alice@atlanta.example.com",
        "sips:bob@192.0.2.4:5061", "sip:edge1.example.com;lr"}) {
    Uri uri;
    EXPECT_TRUE(fast_parse_sip_uri(text, &uri)) << text;
  }
}

TEST(FastPath, HostAgreesWithParseHostText_RFC3261_25_1) {
  for (std::string_view text :
       {"example.com", "example.com.", "a", "a-b.c", "1.2.3.4", "255.255.255.255", "256.0.0.1",
        "1.2.3", "1.2.3.4.", "123.com", "com.123", "-a.com", "a-.com", "a..com", ".", "", "a.b-"}) {
    std::string_view fast_host;
    HostKind fast_kind = HostKind::kNone;
    const char* end = text.data() + text.size();
    bool fast = fast_scan_host(text.data(), end, &fast_host, &fast_kind) == end;
    std::string_view full_host;
    HostKind full_kind = HostKind::kNone;
    bool full = parse_host_text(text, &full_host, &full_kind);
    EXPECT_EQ(fast, full) << text;
    if (fast && full) {
      EXPECT_EQ(fast_host, full_host) << text;
      EXPECT_EQ(fast_kind, full_kind) << text;
    }
  }
}

TEST(FastPath, ViaNeverAcceptsWhatParseViaRejects_RFC3261_20_42) {
  for (std::string_view value : {
           "SIP/2.0/UDP "
           "192.0.2.10:5060;branch=z9hG4bK74bf9.2c7a1f0e;rport=5060;received=192.0.2.10",
           "SIP/2.0/TCP edge1.example.com:5060;branch=z9hG4bK1e2b3c4d;received=198.51.100.7",
           "SIP / 2.0 / UDP host ; branch = z9hG4bK1",
           "SIP/2.0/UDP host;branch=z9hG4bK1, SIP/2.0/TCP other:5061;branch=z9hG4bK2",
           "SIP/2.0/UDP host;branch=z9hG4bK1,",
           "SIP/2.0/UDP host;branch=z9hG4bK1,,SIP/2.0/UDP h2",
           "SIP/2.0/UDP host;branch=\"quoted,comma\"",
           "SIP/2.0/UDP host;branch=a:b",
           "SIP/2.0/UDP host;rport=65536",
           "SIP/2.0/UDP host;rport",
           "SIP/2.0/UDP host;received=[2001:db8::1]",
           "SIP/2.0/UDP host;received=example.com",
           "SIP/2.0/UDP host;ttl=256",
           "SIP/2.0/UDP host:99999",
           "SIP/2.0/UDP [2001:db8::1]:5060",
           "SIP/2.0/UDPhost",
           "SIP/2.0 host",
           "SIP/2.0/UDP host;",
       }) {
    if (fast_valid_via_list(value)) {
      EXPECT_TRUE(full_via_ok(value)) << value;
    }
  }
  EXPECT_TRUE(fast_valid_via_list(
      "SIP/2.0/UDP 192.0.2.10:5060;branch=z9hG4bK74bf9.2c7a1f0e;rport=5060;received=192.0.2.10"));
  EXPECT_TRUE(fast_valid_via_list(
      "SIP/2.0/UDP a.example.com;branch=z9hG4bK1, SIP/2.0/TCP b.example.com;branch=z9hG4bK2"));
}

TEST(FastPath, NameAddrNeverAcceptsWhatParseNameAddrRejects_RFC3261_20_10) {
  for (std::string_view value : {
           "\"Alice Example\" <sip:+15557654321@example.com;user=phone>;tag=9fxced76sl",
           "<sip:+15551234567@carrier.example.net;user=phone>;tag=314159",
           "Alice <sip:alice@atlanta.example.com>",
           "Alice Bob<sip:alice@atlanta.example.com>",
           "sip:alice@atlanta.example.com;tag=1",
           "sip:alice@atlanta.example.com ;tag=1",
           "sip:alice;x=1@atlanta.example.com",
           "sip:alice@atlanta.example.com?x=y",
           "<sip:alice@atlanta.example.com?x=y>",
           "<sip:a@b>, <sip:c@d>",
           "sip:a@b, sip:c@d",
           "<sip:a@b>;tag=",
           "<sip:a@b>;tag=a:b",
           "<sip:a@b>;tag=\"x\"",
           "\"unterminated <sip:a@b>",
           "\"esc\\\"aped\" <sip:a@b>",
           "<sip:a@b",
           "<sip:a@b>>",
           "<tel:+1555>",
           "Alice sip:a@b",
           "<sip:edge1.example.com;lr>",
       }) {
    for (bool in_list : {false, true}) {
      for (NameAddrForm form : {NameAddrForm::kEither, NameAddrForm::kNameAddrOnly}) {
        if (fast_valid_name_addrs(value, form, in_list, nullptr)) {
          EXPECT_TRUE(full_name_addrs_ok(value, form, in_list)) << value << " list=" << in_list;
        }
      }
    }
  }
  EXPECT_TRUE(fast_valid_name_addrs(
      "\"Alice Example\" <sip:+15557654321@example.com;user=phone>;tag=9fxced76sl",
      NameAddrForm::kEither, false, nullptr));
  EXPECT_TRUE(fast_valid_name_addrs("<sip:core1.example.net;lr>, <sip:edge1.example.com;lr>",
                                    NameAddrForm::kNameAddrOnly, true, nullptr));
}

TEST(FastPath, TokenListsAndCSeq_RFC3261_20_16) {
  for (std::string_view value :
       {"INVITE, ACK, CANCEL", "100rel", "a,,b", "a,", ",a", "a b", "a;b", ""}) {
    if (fast_valid_token_list(value)) {
      EXPECT_TRUE(valid_token_list(value, false)) << value;
    }
  }
  EXPECT_TRUE(fast_valid_token_list("INVITE, ACK, CANCEL, BYE, OPTIONS, UPDATE, PRACK"));
  for (std::string_view value : {"1 INVITE", "2147483647 ACK", "2147483648 ACK", "1INVITE",
                                 "1 INVITE x", " 1 INVITE", "1 INV@ITE"}) {
    if (fast_valid_cseq(value, false, "")) {
      EXPECT_TRUE(parse_cseq(value, "CSeq").has_value()) << value;
    }
  }
  EXPECT_TRUE(fast_valid_cseq("1 INVITE", true, "INVITE"));
  EXPECT_FALSE(fast_valid_cseq("1 INVITE", true, "BYE"));  // the full rule names the mismatch
}

}  // namespace
}  // namespace sipedge::sip
