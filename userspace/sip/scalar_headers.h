// Single-value headers the router reads on every request: CSeq, Max-Forwards, Call-ID
// (RFC 3261 §20.16, §20.22, §20.8), and the others a strict receiver checks (Date, Expires,
// Retry-After, Warning, Content-Type, option-tag and method lists, Accept, Event).
#pragma once

#include <cstdint>
#include <string_view>

#include "sipedge/expected.h"
#include "sip/parse_error.h"

namespace sipedge::sip {

struct CSeq {
  uint32_t number = 0;  // < 2**31 (RFC 3261 §8.1.1.5)
  std::string_view method;
};

// CSeq = 1*DIGIT LWS Method; the number must be below 2**31.
Expected<CSeq, ParseError> parse_cseq(std::string_view value, std::string_view where);
// Max-Forwards = 1*DIGIT in 0..255.
Expected<uint8_t, ParseError> parse_max_forwards(std::string_view value, std::string_view where);
// callid = word [ "@" word ].
bool valid_call_id(std::string_view value);
// rfc1123-date: wkday "," SP 2DIGIT SP month SP 4DIGIT SP time SP "GMT" (RFC 3261 §20.17).
bool valid_date(std::string_view value);
// delta-seconds [ comment ] *( SEMI retry-param ); overlarge numbers saturate (§20.19).
bool valid_delta_seconds_with_params(std::string_view value, bool allow_comment);
// warning-value *( COMMA warning-value ); warn-code = 3DIGIT (§20.43).
bool valid_warning(std::string_view value);
// media-type = m-type "/" m-subtype *( SEMI m-parameter ) (§20.15).
bool valid_media_type(std::string_view value);
// A comma list of tokens (option tags, methods); `allow_empty` for Supported/Allow.
bool valid_token_list(std::string_view value, bool allow_empty);
// Accept: empty, or a list of media-range [ accept-params ] (§20.1).
bool valid_accept(std::string_view value);
// Event / Allow-Events: a list of event-type tokens with optional parameters (RFC 6665).
bool valid_event_list(std::string_view value);
// Event = event-type *( SEMI event-param ): one event, not a list (RFC 6665 §8.4).
bool valid_event(std::string_view value);
// Server / User-Agent = server-val *( LWS server-val ); server-val = product / comment.
bool valid_server_value(std::string_view value);

}  // namespace sipedge::sip
