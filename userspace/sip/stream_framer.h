// Splits a TCP/TLS byte stream into SIP messages by Content-Length (RFC 3261 §18.3).
#pragma once

#include <cstddef>
#include <string_view>

#include "sip/message_parser.h"

namespace sipedge::sip {

enum class FrameStatus : uint8_t {
  kComplete,   // *out holds one message of out->wire_size octets at the start of the buffer
  kNeedMore,   // the buffer holds a prefix of a message; read more and call again
  kKeepalive,  // the buffer starts with a CRLF keep-alive (RFC 5626 §3.5.1) of `consumed` octets
  kInvalid,    // the stream is broken; answer 400 if possible and close the connection
};

struct FrameResult {
  FrameStatus status = FrameStatus::kNeedMore;
  size_t consumed = 0;  // octets to drop from the front of the buffer (complete/keep-alive)
  ParseError error;     // for kInvalid
};

// What a connection's framer already knows about the message at the front of its buffer, so
// input trickled a byte at a time costs O(n) in all, not a rescan per segment: how many
// bytes were searched for the end of the headers, and once the headers parsed, the size the
// whole message will have. Reset (= {}) whenever the front of the buffer moves.
struct FrameCursor {
  size_t scanned = 0;
  size_t wire_size = 0;
};

// Looks at the start of `buf` (the unconsumed bytes of one connection) and reports whether a
// whole message is there. Only scans the header block once it is complete, so repeated
// calls on a growing buffer cost a memmem each until then.
FrameResult frame_stream_message(const MessageParser& parser, std::string_view buf, Message* out);
// The same, resuming where `cursor` says the last call on this buffer stopped: the search
// for the end of the headers starts at the bytes not searched yet, and a message whose
// body is still arriving is not parsed again until all of it is there. The cursor is reset
// when a message or keep-alive is complete.
FrameResult frame_stream_message(const MessageParser& parser, std::string_view buf, Message* out,
                                 FrameCursor* cursor);

}  // namespace sipedge::sip
