// RFC 5922 §7.1 matching, certificate by certificate (rule R8 rests on it).
#include "tls/sip_identity.h"

#include <gtest/gtest.h>

#include "test_pki.h"

namespace sipedge::tls {
namespace {

using testing::shared_pki;

struct MatchCase {
  const char* certificate;
  const char* domain;
  bool allow_wildcard;
  bool matches;
};

class SipIdentityTable : public ::testing::TestWithParam<MatchCase> {};

TEST_P(SipIdentityTable, MatchesPerRfc5922) {
  const MatchCase& c = GetParam();
  X509* cert = shared_pki().get(c.certificate).certificate.get();
  EXPECT_EQ(certificate_matches_sip_domain(cert, c.domain, c.allow_wildcard), c.matches)
      << c.certificate << " vs " << c.domain;
}

INSTANTIATE_TEST_SUITE_P(
    Rfc5922, SipIdentityTable,
    ::testing::Values(
        // dNSName equal to the domain; suffixes and parents never match.
        MatchCase{"domain", "example.com", false, true},
        MatchCase{"domain", "EXAMPLE.com", false, true},       // case-insensitive
        MatchCase{"domain", "example.com.", false, true},      // absolute form
        MatchCase{"domain", "sip.example.com", false, false},  // no suffix match
        MatchCase{"domain", "com", false, false},
        // The SRV target's own certificate does not speak for the domain (R8).
        MatchCase{"srv_target", "example.com", false, false},
        MatchCase{"srv_target", "sip1.example.net", false, true},
        // URI SAN "sip:example.com" names the domain; with a user part it names a user.
        MatchCase{"uri", "example.com", false, true},
        MatchCase{"uri_user", "example.com", false, false},
        // Scheme and host compare case-insensitively.
        MatchCase{"mixed_case", "example.com", false, true},
        MatchCase{"mixed_case", "sip.example.org", false, true},
        // CN only when there is no subjectAltName at all.
        MatchCase{"cn_only", "example.com", false, true},
        MatchCase{"cn_with_san", "example.com", false, false},
        MatchCase{"cn_with_san", "other.example.org", false, true},
        // Wildcards: only when allowed, one whole leftmost label.
        MatchCase{"wildcard", "sip.example.com", false, false},
        MatchCase{"wildcard", "sip.example.com", true, true},
        MatchCase{"wildcard", "SIP.Example.Com", true, true},
        MatchCase{"wildcard", "a.b.example.com", true, false},
        MatchCase{"wildcard", "example.com", true, false},
        // IP literals match iPAddress entries only.
        MatchCase{"ip", "127.0.0.1", false, true}, MatchCase{"ip", "127.0.0.2", false, false},
        MatchCase{"ip", "2001:db8::1", false, true}, MatchCase{"ip", "[2001:db8::1]", false, true},
        MatchCase{"ip", "[2001:db8::2]", false, false},
        MatchCase{"domain", "127.0.0.1", false, false}, MatchCase{"domain", "", false, false}));

TEST(SipIdentity, UriHostExtraction) {
  EXPECT_EQ(sip_domain_of_uri("sip:example.com"), "example.com");
  EXPECT_EQ(sip_domain_of_uri("SIP:example.com:5061;transport=tls"), "example.com");
  EXPECT_EQ(sip_domain_of_uri("sip:[2001:db8::1]:5061"), "[2001:db8::1]");
  EXPECT_FALSE(sip_domain_of_uri("sip:user@example.com"));
  EXPECT_FALSE(sip_domain_of_uri("sips:example.com"));  // RFC 5922: only the sip scheme
  EXPECT_FALSE(sip_domain_of_uri("https://example.com"));
  EXPECT_FALSE(sip_domain_of_uri("sip:"));
}

TEST(SipIdentity, WildcardRules) {
  EXPECT_FALSE(dns_name_matches("*.example.com", "x.example.com", false));
  EXPECT_TRUE(dns_name_matches("*.example.com", "x.example.com", true));
  EXPECT_FALSE(dns_name_matches("*.com", "example.com", true));  // no TLD-wide wildcard
  EXPECT_FALSE(dns_name_matches("f*.example.com", "foo.example.com", true));
  EXPECT_FALSE(dns_name_matches("*.example.com", ".example.com", true));
}

TEST(SipIdentity, IpLiteralDetection) {
  EXPECT_TRUE(is_ip_literal("192.0.2.1"));
  EXPECT_TRUE(is_ip_literal("2001:db8::1"));
  EXPECT_TRUE(is_ip_literal("[2001:db8::1]"));
  EXPECT_FALSE(is_ip_literal("example.com"));
  EXPECT_FALSE(is_ip_literal("192.0.2.1.example.com"));
}

}  // namespace
}  // namespace sipedge::tls
