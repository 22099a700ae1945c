// SIP/SIPS/TEL and generic absolute URIs (RFC 3261 §19.1, §25.1; RFC 3966; RFC 3986).
// A parsed Uri is a set of views into the caller's buffer: it never copies or allocates,
// and it lives only as long as that buffer.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>

#include "sipedge/expected.h"
#include "sip/parse_error.h"

namespace sipedge::sip {

enum class UriScheme : uint8_t { kSip, kSips, kTel, kOther };

enum class HostKind : uint8_t { kNone, kName, kIPv4, kIPv6 };

// One `;name[=value]` parameter, raw (still %-escaped) as it appears.
struct UriParam {
  std::string_view name;
  std::string_view value;  // empty when the parameter has no '='
  bool has_value = false;
};

struct Uri {
  UriScheme scheme = UriScheme::kOther;
  std::string_view scheme_text;  // as written, e.g. "SIP", "soap.beep"
  std::string_view user;         // raw, still %-escaped; for tel: the number
  std::string_view password;
  bool has_user = false;
  std::string_view host;  // IPv6 without the brackets
  HostKind host_kind = HostKind::kNone;
  uint16_t port = 0;  // 0 when absent
  bool has_port = false;
  std::string_view params;   // everything after the first ';' of the hostport, without it
  std::string_view headers;  // everything after '?', without it
  bool has_headers = false;
  std::string_view opaque;  // for kOther: the part after "scheme:"
  std::string_view text;    // the whole URI as parsed

  bool is_sip_or_sips() const { return scheme == UriScheme::kSip || scheme == UriScheme::kSips; }
  // Finds a URI parameter by case-insensitive name; returns nullptr-like (found=false) if absent.
  bool find_param(std::string_view name, UriParam* out) const;
  // transport= parameter value (lower-cased comparison is the caller's job), empty if absent.
  std::string_view transport() const;
  // True when the `lr` parameter is present (RFC 3261 loose routing).
  bool lr() const;
};

// Parses `text` as an absolute URI. sip:/sips: are parsed fully (RFC 3261 §25.1); tel: per
// RFC 3966 (number and params); any other scheme must match `scheme ":" 1*uric`.
// Fails on anything outside the grammar; the error names `context` (e.g. "Request-URI").
Expected<Uri, ParseError> parse_uri(std::string_view text, std::string_view context);

// Decodes %HH escapes of a raw URI component into `out` (appending). Returns false on a bad
// escape. Used where a caller needs the unescaped form (comparison, DNS names).
bool unescape_uri_component(std::string_view raw, std::string* out);

// Iterates `;`-separated parameters of `params` (as stored in Uri::params or a header's
// parameter list). Returns false when there are no more.
bool next_param(std::string_view* params, UriParam* out);

// Parses `text` as RFC 3261 host (hostname / IPv4address / IPv6reference in brackets);
// on success sets *host (IPv6 without brackets) and *kind.
bool parse_host_text(std::string_view text, std::string_view* host, HostKind* kind);

// True when `host` is a syntactically valid IPv4 address in dotted-quad form.
bool is_ipv4_address(std::string_view host);
// True when `host` (without brackets) is a valid IPv6 address per RFC 3261's IPv6reference
// grammar (which tolerates the RFC 5118 §4.10 three-colon form).
bool is_ipv6_address(std::string_view host);

}  // namespace sipedge::sip
