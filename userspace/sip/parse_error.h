// The value every SIP parsing function returns on failure: which header (or part of the
// message) was at fault and why, so a 400's reason phrase and the logs can name it.
#pragma once

#include <string>
#include <string_view>

namespace sipedge::sip {

enum class ParseErrorCode {
  kTruncated,        // message ends before its headers end
  kIncompleteBody,   // headers complete, fewer body octets than Content-Length announces
  kTooLarge,         // beyond the configured size or header-count limit
  kBadStartLine,     // Request-Line / Status-Line grammar
  kBadVersion,       // SIP-Version other than SIP/2.0
  kBadHeader,        // header line or header value grammar
  kMissingHeader,    // a mandatory header is absent
  kDuplicateHeader,  // a single-value header appears with conflicting values
  kMismatch,         // CSeq method does not match the Request-Line method
  kBadUri,           // URI grammar
};

struct ParseError {
  ParseErrorCode code = ParseErrorCode::kBadHeader;
  // Header name or message part, e.g. "Via", "Request-Line"; may view the message buffer,
  // so it lives only as long as that buffer (copy it with to_string() to keep it).
  std::string_view where;
  const char* what = "";  // static description of the fault
  // For a limit that was exceeded (kTooLarge): the limit and what the message had; 0 if n/a.
  size_t limit = 0;
  size_t count = 0;

  // "Via: bad sent-by port" style text for logs and reason phrases; a limit fault adds
  // " (limit 256, message has 300)".
  std::string to_string() const {
    std::string s(where);
    s += ": ";
    s += what;
    if (limit != 0) {
      s += " (limit ";
      s += std::to_string(limit);
      s += ", message has ";
      s += std::to_string(count);
      s += ")";
    }
    return s;
  }
};

inline ParseError make_error(ParseErrorCode code, std::string_view where, const char* what) {
  return ParseError{code, where, what};
}

}  // namespace sipedge::sip
