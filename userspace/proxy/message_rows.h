// Raw extents of a parsed message inside the buffer it was parsed from, so the proxy can copy
// every row it does not touch byte for byte.
#pragma once

#include <cstddef>
#include <string_view>

#include "sip/sip_message.h"

namespace sipedge::proxy {

// True when the message's start line, headers and body all lie inside `raw` (the caller
// passed the buffer it parsed). Every builder checks this before doing pointer arithmetic.
bool views_buffer(const sip::Message& msg, std::string_view raw);

// Header row `i` as received: from its name to its final CRLF inclusive, folds included.
std::string_view header_row(const sip::Message& msg, size_t i);

// The part of a row before its value: the name as written, the colon and whitespace.
std::string_view row_prefix(const sip::Header& h);

// The empty line ending the headers plus the body (octets past Content-Length excluded).
std::string_view blank_line_and_body(const sip::Message& msg);

// Iterates the comma-separated values of a header row; each value is trimmed.
class ListElements {
 public:
  explicit ListElements(std::string_view value) : rest_(value) {}
  // False at the end, or on an unbalanced quote or bracket (then error() is true).
  bool next(std::string_view* element);
  bool error() const { return error_; }
  std::string_view rest() const { return rest_; }

 private:
  std::string_view rest_;
  bool error_ = false;
};

}  // namespace sipedge::proxy
