// Frames and parses one SIP message (RFC 3261 §7): start line, header lines with folding,
// Content-Length and body. Known header *values* are checked by message_validator.h; this
// step is the hot path every received message takes.
#pragma once

#include <string_view>

#include "sipedge/expected.h"
#include "sip/parse_error.h"
#include "sip/sip_message.h"

namespace sipedge::sip {

class MessageParser {
 public:
  explicit MessageParser(ParserLimits limits = {});

  // Parses the message at the start of `buf` into `*out` (views into buf). On success
  // out->wire_size tells how many octets it took. On a stream, kTruncated and
  // kIncompleteBody mean "need more bytes" unless the limits are already exceeded. Never reads
  // outside buf. Returns an error naming the header and fault otherwise.
  Expected<bool, ParseError> parse(std::string_view buf, Framing framing, Message* out) const;

  const ParserLimits& limits() const { return limits_; }

 private:
  ParserLimits limits_;
};

// Prepares a Message for reuse: clears it and reserves room for `limits.max_headers`.
void reset_message(Message* msg, const ParserLimits& limits);

}  // namespace sipedge::sip
