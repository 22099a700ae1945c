#include "sip/stream_framer.h"

#include <cstring>

namespace sipedge::sip {

FrameResult frame_stream_message(const MessageParser& parser, std::string_view buf, Message* out) {
  FrameCursor fresh;
  return frame_stream_message(parser, buf, out, &fresh);
}

FrameResult frame_stream_message(const MessageParser& parser, std::string_view buf, Message* out,
                                 FrameCursor* cursor) {
  FrameResult r;
  // A double CRLF ping (or a lone CRLF pong) between messages is a keep-alive.
  if (buf.size() >= 2 && buf[0] == '\r' && buf[1] == '\n') {
    size_t n = 0;
    while (n + 1 < buf.size() && buf[n] == '\r' && buf[n + 1] == '\n') n += 2;
    r.status = FrameStatus::kKeepalive;
    r.consumed = n;
    *cursor = FrameCursor{};
    return r;
  }
  if (cursor->wire_size != 0 && buf.size() < cursor->wire_size) {
    r.status = FrameStatus::kNeedMore;  // the body is still arriving: nothing new to parse
    return r;
  }
  const size_t limit = parser.limits().max_message_size;
  if (cursor->wire_size == 0) {
    // The end of the headers may straddle the bytes searched before: back up 3.
    const size_t from = cursor->scanned > 3 ? cursor->scanned - 3 : 0;
    const void* end =
        from < buf.size() ? memmem(buf.data() + from, buf.size() - from, "\r\n\r\n", 4) : nullptr;
    if (end == nullptr) {
      cursor->scanned = buf.size();
      if (buf.size() >= limit) {
        r.status = FrameStatus::kInvalid;
        r.error = make_error(ParseErrorCode::kTooLarge, "message",
                             "headers longer than the maximum size");
        return r;
      }
      r.status = FrameStatus::kNeedMore;
      return r;
    }
    cursor->scanned = static_cast<size_t>(static_cast<const char*>(end) - buf.data());
  }
  auto parsed = parser.parse(buf, Framing::kStream, out);
  if (parsed) {
    r.status = FrameStatus::kComplete;
    r.consumed = out->wire_size;
    *cursor = FrameCursor{};
    return r;
  }
  if (parsed.error().code == ParseErrorCode::kIncompleteBody) {
    // Headers complete, body still arriving: the message's size is known now.
    cursor->wire_size = cursor->scanned + 4 + out->content_length;
    r.status = FrameStatus::kNeedMore;
    return r;
  }
  r.status = FrameStatus::kInvalid;
  r.error = parsed.error();
  return r;
}

}  // namespace sipedge::sip
