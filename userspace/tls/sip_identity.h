// RFC 5922 §7.1: does a certificate speak for a SIP domain? (Rule R8: the domain is the one of
// the URI that was resolved, never the SRV target.)
#pragma once

#include <openssl/x509.h>

#include <optional>
#include <string_view>

namespace sipedge::tls {

// True when `cert` identifies `domain`: a subjectAltName URI "sip:domain" without user part,
// or a dNSName equal to the domain (case-insensitive, trailing dot ignored); the subject CN
// counts only when the certificate has no subjectAltName extension at all; a dNSName
// "*.example.com" (whole leftmost label) matches one label only when `allow_wildcard`.
// An IP literal domain ("192.0.2.1", "2001:db8::1", "[2001:db8::1]") matches iPAddress
// entries only.
bool certificate_matches_sip_domain(X509* cert, std::string_view domain, bool allow_wildcard);

// True when `domain` is an IPv4 or IPv6 literal (brackets allowed): no SNI is sent for it.
bool is_ip_literal(std::string_view domain);

// The host of a subjectAltName URI that may serve as a SIP domain identity: "sip:" scheme and
// no user part; port, parameters and headers dropped. nullopt otherwise.
std::optional<std::string_view> sip_domain_of_uri(std::string_view uri);

// Case-insensitive DNS name comparison with the wildcard rule above (`pattern` from the cert).
bool dns_name_matches(std::string_view pattern, std::string_view domain, bool allow_wildcard);

}  // namespace sipedge::tls
