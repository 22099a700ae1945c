// A parsed SIP message: views into the receive buffer (zero copy). The header array is
// reserved once per Message and reused, so parsing allocates nothing per header.
#pragma once

#include <array>
#include <cstdint>
#include <string_view>
#include <vector>

#include "sip/header_id.h"
#include "sip/uri.h"

namespace sipedge::sip {

struct Header {
  std::string_view name;   // as written (may be compact, any case)
  std::string_view value;  // trimmed; may still contain folds (CRLF + WSP), read them as LWS
  HeaderId id = HeaderId::kUnknown;
};

enum class MessageKind : uint8_t { kRequest, kResponse };

// How the message arrived: a datagram is judged as a whole (RFC 3261 §18.3: octets past the
// announced body are ignored, no Content-Length means "to the end"); a stream needs
// Content-Length to know where the next message starts.
enum class Framing : uint8_t { kDatagram, kStream };

struct ParserLimits {
  size_t max_message_size = 65535;  // bytes, headers plus body
  size_t max_headers = 256;
};

struct Message {
  MessageKind kind = MessageKind::kRequest;
  std::string_view start_line;
  // Requests.
  std::string_view method;
  std::string_view request_uri_text;
  Uri request_uri;
  // Responses.
  uint16_t status_code = 0;
  std::string_view reason;

  std::vector<Header> headers;
  std::array<int16_t, kHeaderIdCount> first_index{};  // -1 when the header is absent
  std::string_view body;
  uint32_t content_length = 0;
  bool has_content_length = false;
  size_t wire_size = 0;  // octets of this message in the buffer (start line to end of body)

  bool is_request() const { return kind == MessageKind::kRequest; }
  // The first header with this id, or nullptr.
  const Header* find(HeaderId id) const {
    int16_t i = first_index[static_cast<int>(id)];
    return i < 0 ? nullptr : &headers[static_cast<size_t>(i)];
  }
  // Number of header lines carrying this id.
  size_t count(HeaderId id) const {
    size_t n = 0;
    for (const Header& h : headers) n += h.id == id;
    return n;
  }
};

}  // namespace sipedge::sip
