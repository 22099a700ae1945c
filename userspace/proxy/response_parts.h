// Pieces every stateless response shares: the status line and the To tag we add.
#pragma once

#include <cstdint>
#include <string_view>

#include "proxy/output_writer.h"

namespace sipedge::proxy {

// "SIP/2.0 <status> <reason>\r\n"; control characters in the reason become spaces, since a
// reason may carry text from the message it answers.
void write_status_line(OutputWriter& w, uint16_t status, std::string_view reason);

// ";tag=<16 hex>" derived from the request, so a retransmission gets the same tag (§8.2.6.2).
void write_to_tag(OutputWriter& w, std::string_view call_id, std::string_view from,
                  std::string_view top_via);

// `text` with every line break made CRLF and other control characters (but HTAB) made spaces:
// echoed header rows of a message the parser refused must not smuggle lines into ours.
void put_sanitized_row(OutputWriter& w, std::string_view text);

// True for the status codes a response may carry.
inline bool valid_status(uint16_t status) { return status >= 100 && status <= 699; }

}  // namespace sipedge::proxy
