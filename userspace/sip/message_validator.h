// The strict receiver's check (RFC 3261 §8.1.1, §16.3, §20): every known header's value
// against its grammar, the mandatory headers present, single-value headers not repeated
// with conflicting values, and the CSeq method matching the Request-Line. The router calls
// the per-header parsers lazily instead; sipedge-parse and conformance tests call this.
#pragma once

#include "sipedge/expected.h"
#include "sip/parse_error.h"
#include "sip/sip_message.h"

namespace sipedge::sip {

// Returns true when `msg` (already framed by MessageParser) is fully well-formed;
// otherwise the first fault, naming the header.
Expected<bool, ParseError> validate_message(const Message& msg);

}  // namespace sipedge::sip
