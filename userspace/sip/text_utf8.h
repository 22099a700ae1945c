// The text rules of RFC 3261 §25.1 that admit UTF-8: UTF8-NONASCII and UTF8-CONT,
// TEXT-UTF8-TRIM (Subject, Organization), Reason-Phrase, comments, and the bytes any header
// value may hold. RFC 3261 spells UTF-8 out byte by byte (lead bytes C0-FD, continuation
// bytes 80-BF); FE and FF never occur.
#pragma once

#include <cstddef>
#include <string_view>

namespace sipedge::sip {

inline bool is_utf8_cont(char c) {
  auto u = static_cast<unsigned char>(c);
  return u >= 0x80 && u <= 0xbf;
}

// Length of the UTF8-NONASCII sequence starting at s[i] (a lead byte C0-FD followed by
// all of its 1-5 continuation bytes), or 0 when there is none there.
size_t utf8_nonascii_length(std::string_view s, size_t i);

// header-value = *( TEXT-UTF8char / UTF8-CONT / LWS ): printable ASCII, complete UTF-8
// sequences, stray continuation bytes, SP/HTAB and folds. A control byte is allowed only
// as a quoted-pair inside a quoted string (RFC 4475 §3.1.1.2).
bool valid_header_value_bytes(std::string_view v);

// True when a header value (as MessageParser cut it: an LF only ever follows a CR) holds
// only 0x20-0x7E, HTAB and folds; then it is valid_header_value_bytes without a closer
// look. A vector pass where SSE2 is built; false says only "look closer".
bool plain_ascii_value(std::string_view v);

// TEXT-UTF8-TRIM = 1*TEXT-UTF8char *( *LWS TEXT-UTF8char ); `allow_empty` for Subject.
bool valid_text_utf8_trim(std::string_view v, bool allow_empty);

// Reason-Phrase = *( reserved / unreserved / escaped / UTF8-NONASCII / UTF8-CONT / SP / HTAB )
bool valid_reason_phrase(std::string_view v);

// comment = LPAREN *( ctext / quoted-pair / comment ) RPAREN, at v[*pos] (which must be
// '('); ctext admits UTF8-NONASCII and LWS. Advances *pos past it; false on a fault.
bool take_comment(std::string_view v, size_t* pos);

}  // namespace sipedge::sip
