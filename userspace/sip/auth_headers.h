// Credentials and challenges (RFC 3261 §20.7, §20.27, §20.28, §20.44, §20.6, §22, §25.1)
// with the digest algorithms of RFC 8760: Authorization / Proxy-Authorization carry
// credentials, WWW-Authenticate / Proxy-Authenticate a challenge, Authentication-Info
// ainfo elements. One credential or challenge per header row (RFC 3261 §7.3.1), each
// parameter name at most once (RFC 7235 §2.1).
#pragma once

#include <string_view>

#include "sipedge/expected.h"
#include "sip/parse_error.h"

namespace sipedge::sip {

// The Digest directives, raw as written (quoted strings keep their quotes); empty when
// absent. Which ones may appear depends on the header.
struct DigestParams {
  std::string_view username;
  std::string_view realm;
  std::string_view nonce;
  std::string_view uri;
  std::string_view response;
  std::string_view algorithm;
  std::string_view cnonce;
  std::string_view opaque;
  std::string_view qop;
  std::string_view nc;
  std::string_view domain;
  std::string_view stale;
  std::string_view nextnonce;
  std::string_view rspauth;
};

struct AuthValue {
  std::string_view scheme;  // "Digest" (any case) or another auth-scheme token
  bool is_digest = false;
  std::string_view params;  // the raw parameter list after the scheme
  DigestParams digest;      // filled when is_digest
};

// credentials = ( "Digest" LWS digest-response ) / other-response. A Digest response must
// have as many hex digits as its algorithm yields: 32 for MD5 (the default), 64 for
// SHA-256 and SHA-512-256 and their -sess forms (RFC 8760 §2.7). Errors name `where`.
Expected<AuthValue, ParseError> parse_credentials(std::string_view value, std::string_view where);

// challenge = ( "Digest" LWS digest-cln *( COMMA digest-cln ) ) / other-challenge.
Expected<AuthValue, ParseError> parse_challenge(std::string_view value, std::string_view where);

// Authentication-Info = ainfo *( COMMA ainfo ); ainfo = nextnonce / message-qop /
// response-auth / cnonce / nonce-count.
Expected<DigestParams, ParseError> parse_authentication_info(std::string_view value,
                                                             std::string_view where);

}  // namespace sipedge::sip
