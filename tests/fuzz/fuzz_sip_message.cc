// libFuzzer target: frame, parse and strictly validate arbitrary bytes as a SIP message,
// then run every per-header parser on every header (the credential and challenge parsers
// included, on every header whatever its name), as datagram and as stream.
#include <cstddef>
#include <cstdint>
#include <string_view>

#include "sip/auth_headers.h"
#include "sip/message_parser.h"
#include "sip/message_validator.h"
#include "sip/name_addr.h"
#include "sip/scalar_headers.h"
#include "sip/stream_framer.h"
#include "sip/text_utf8.h"
#include "sip/value_scanner.h"
#include "sip/via.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  using namespace sipedge::sip;
  static const MessageParser parser(ParserLimits{8192, 64});
  static Message msg;
  std::string_view in(reinterpret_cast<const char*>(data), size);

  if (parser.parse(in, Framing::kDatagram, &msg)) {
    (void)validate_message(msg);
    for (const Header& h : msg.headers) {
      std::string_view rest = h.value, element;
      bool error = false;
      while (next_list_element(&rest, &element, &error)) {
        (void)parse_via(element);
        (void)parse_name_addr(element, h.name);
      }
      (void)parse_cseq(h.value, h.name);
      (void)parse_max_forwards(h.value, h.name);
      (void)valid_date(h.value);
      (void)valid_warning(h.value);
      (void)parse_credentials(h.value, h.name);
      (void)parse_challenge(h.value, h.name);
      (void)parse_authentication_info(h.value, h.name);
      (void)valid_server_value(h.value);
      (void)valid_text_utf8_trim(h.value, true);
    }
    (void)valid_reason_phrase(msg.reason);
  }
  // The credential grammar straight on the input too, so mutations reach it without
  // having to build a whole message first.
  (void)parse_credentials(in, "fuzz");
  (void)parse_challenge(in, "fuzz");
  (void)parse_authentication_info(in, "fuzz");
  (void)valid_header_value_bytes(in);
  (void)plain_ascii_value(in);
  std::string_view stream = in;
  for (int i = 0; i < 8 && !stream.empty(); ++i) {
    FrameResult r = frame_stream_message(parser, stream, &msg);
    if (r.status != FrameStatus::kComplete && r.status != FrameStatus::kKeepalive) break;
    stream.remove_prefix(r.consumed);
  }
  return 0;
}
