// Stateless responses to parsed requests (§8.2.6, §16.11) and the Unsupported row of a 420.
#include "proxy/message_rows.h"
#include "proxy/output_writer.h"
#include "proxy/response_parts.h"
#include "proxy/stateless_proxy.h"
#include "proxy/via_fields.h"
#include "sip/name_addr.h"

namespace sipedge::proxy {
namespace {

Expected<size_t, sip::ParseError> refuse(const char* what) {
  return unexpected(sip::make_error(sip::ParseErrorCode::kMismatch, "response", what));
}

std::string_view value_of(const sip::Message& req, sip::HeaderId id) {
  const sip::Header* h = req.find(id);
  return h != nullptr ? h->value : std::string_view{};
}

// The To row, with our tag when the request had none (§8.2.6.2: every response but 100).
void write_to_row(OutputWriter& w, const sip::Message& req, size_t row, uint16_t status) {
  const sip::Header& h = req.headers[row];
  auto to = sip::parse_name_addr(h.value, "To");
  if (status == 100 || !to || to->has_tag) {
    w.put(header_row(req, row));
    return;
  }
  w.put(row_prefix(h));
  w.put(h.value);
  write_to_tag(w, value_of(req, sip::HeaderId::kCallId), value_of(req, sip::HeaderId::kFrom),
               value_of(req, sip::HeaderId::kVia));
  w.put("\r\n");
}

}  // namespace

Expected<size_t, sip::ParseError> build_response(const sip::Message& req, const Inbound& in,
                                                 uint16_t status, std::string_view reason,
                                                 std::string_view extra_headers,
                                                 std::span<char> out) {
  if (!req.is_request()) return refuse("not a request");
  if (req.method == "ACK") return refuse("an ACK is never answered");
  if (!valid_status(status)) return refuse("status code out of range 100-699");
  // A top Via that does not parse (the 400 may be about it) is echoed as received.
  auto top = parse_top_via(req);
  if (!top && top.error().code == sip::ParseErrorCode::kMissingHeader) {
    return unexpected(top.error());
  }

  OutputWriter w(out);
  write_status_line(w, status, reason);
  bool seen[sip::kHeaderIdCount] = {};
  for (size_t i = 0; i < req.headers.size(); ++i) {
    const sip::Header& h = req.headers[i];
    switch (h.id) {
      case sip::HeaderId::kVia:
        if (top && i == top->row_index) {
          // RFC 3581 §4 holds for the responses we generate too: they go back by rport.
          w.put(row_prefix(h));
          write_via_with_received(w, top->element, top->via, in.source);
          if (top->row_has_more) {
            w.put(", ");
            w.put(top->rest_of_row);
          }
          w.put("\r\n");
        } else {
          w.put(header_row(req, i));
        }
        break;
      case sip::HeaderId::kTo:
        if (!seen[static_cast<int>(h.id)]) write_to_row(w, req, i, status);
        break;
      case sip::HeaderId::kFrom:
      case sip::HeaderId::kCallId:
      case sip::HeaderId::kCSeq:
        if (!seen[static_cast<int>(h.id)]) w.put(header_row(req, i));
        break;
      default:
        break;
    }
    seen[static_cast<int>(h.id)] = true;
  }
  if (!extra_headers.empty()) {
    w.put(extra_headers);
    if (!extra_headers.ends_with("\r\n")) w.put("\r\n");
  }
  w.put("Content-Length: 0\r\n\r\n");
  return w.finish();
}

Expected<size_t, sip::ParseError> write_unsupported_header(const sip::Message& req,
                                                           std::span<char> out) {
  OutputWriter w(out);
  w.put("Unsupported: ");
  bool first = true;
  for (const sip::Header& h : req.headers) {
    if (h.id != sip::HeaderId::kProxyRequire) continue;
    ListElements list(h.value);
    std::string_view tag;
    while (list.next(&tag)) {
      if (tag.empty()) continue;
      if (!first) w.put(", ");
      put_sanitized_row(w, tag);
      first = false;
    }
  }
  w.put("\r\n");
  return w.finish();
}

}  // namespace sipedge::proxy
