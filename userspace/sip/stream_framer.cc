#include "sip/stream_framer.h"

#include <cstring>

namespace sipedge::sip {

FrameResult frame_stream_message(const MessageParser& parser, std::string_view buf, Message* out) {
  FrameResult r;
  // A double CRLF ping (or a lone CRLF pong) between messages is a keep-alive.
  if (buf.size() >= 2 && buf[0] == '\r' && buf[1] == '\n') {
    size_t n = 0;
    while (n + 1 < buf.size() && buf[n] == '\r' && buf[n + 1] == '\n') n += 2;
    r.status = FrameStatus::kKeepalive;
    r.consumed = n;
    return r;
  }
  const size_t limit = parser.limits().max_message_size;
  const void* end = memmem(buf.data(), buf.size(), "\r\n\r\n", 4);
  if (end == nullptr) {
    if (buf.size() >= limit) {
      r.status = FrameStatus::kInvalid;
      r.error =
          make_error(ParseErrorCode::kTooLarge, "message", "headers longer than the maximum size");
      return r;
    }
    r.status = FrameStatus::kNeedMore;
    return r;
  }
  auto parsed = parser.parse(buf, Framing::kStream, out);
  if (parsed) {
    r.status = FrameStatus::kComplete;
    r.consumed = out->wire_size;
    return r;
  }
  if (parsed.error().code == ParseErrorCode::kIncompleteBody) {
    r.status = FrameStatus::kNeedMore;  // headers complete, body still arriving
    return r;
  }
  r.status = FrameStatus::kInvalid;
  r.error = parsed.error();
  return r;
}

}  // namespace sipedge::sip
