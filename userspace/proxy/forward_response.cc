// Responses of a stateless proxy (§16.7 steps 3 and 9, §18.2.2, RFC 3581 §4): our Via must be
// on top; it is removed and the next Via says where the response goes.
#include "proxy/message_rows.h"
#include "proxy/output_writer.h"
#include "proxy/stateless_proxy.h"
#include "proxy/via_fields.h"

namespace sipedge::proxy {
namespace {

ResponseRoute drop(ResponseDrop d, std::string_view why) {
  ResponseRoute r;
  r.drop = d;
  r.drop_reason = why;
  return r;
}

// The Via after the top one: the next value of the top row, else the first of the next row.
bool second_via_element(const sip::Message& resp, const TopVia& top, std::string_view* element) {
  if (top.row_has_more) {
    ListElements list(top.rest_of_row);
    return list.next(element);
  }
  for (size_t i = top.row_index + 1; i < resp.headers.size(); ++i) {
    if (resp.headers[i].id != sip::HeaderId::kVia) continue;
    ListElements list(resp.headers[i].value);
    return list.next(element);
  }
  return false;
}

}  // namespace

std::string_view response_drop_name(ResponseDrop d) {
  switch (d) {
    case ResponseDrop::kNone:
      return "none";
    case ResponseDrop::kNotOurs:
      return "not_ours";
    case ResponseDrop::kForgedBranch:
      return "forged_branch";
    case ResponseDrop::kMalformed:
      return "malformed";
    case ResponseDrop::kUnsupportedTransport:
      return "unsupported_transport";
    case ResponseDrop::kPolicy:
      return "policy";
    case ResponseDrop::kSendFailed:
      return "send_failed";
    case ResponseDrop::kCount:
      break;
  }
  return "none";
}

ResponseRoute route_response(const sip::Message& resp, const LocalIdentity& me) {
  if (resp.is_request()) return drop(ResponseDrop::kNotOurs, "not a response");
  auto top = parse_top_via(resp);
  if (!top) return drop(ResponseDrop::kMalformed, "top Via missing or malformed");
  if (!via_is_local(top->via, me)) return drop(ResponseDrop::kNotOurs, "top Via is not ours");
  std::string_view element;
  if (!second_via_element(resp, *top, &element) || element.empty()) {
    // We originate no requests, so a Via of ours alone on top answers nothing we sent.
    return drop(ResponseDrop::kForgedBranch, "no Via below ours");
  }
  // Before anything of the Via below is believed: it must be the one we wrote.
  auto flow = response_flow(top->via, element, me);
  if (!flow) {
    return drop(ResponseDrop::kForgedBranch,
                "branch does not verify for the Via below: not a response to a request we "
                "forwarded");
  }
  auto via = sip::parse_via(element);
  if (!via) return drop(ResponseDrop::kMalformed, "second Via malformed");
  auto transport = via_transport(via->transport);
  if (!transport) return drop(ResponseDrop::kUnsupportedTransport, "second Via transport");

  ResponseRoute r;
  r.kind = ResponseRoute::Kind::kForward;
  r.flow = *flow;
  r.transport = *transport;
  // RFC 3581 §4: rport carries the source port the request came from.
  r.port = via->rport != 0 ? via->rport
           : via->has_port ? via->port
                           : resolve::default_port(*transport);
  r.destination.port = r.port;
  r.sent_by_port = via->has_port ? via->port : resolve::default_port(*transport);
  r.host = via->host;
  // §18.2.2: received names the address the request really came from.
  if (via->has_received && net::parse_ip_address(via->received, &r.destination.address)) {
    return r;
  }
  if (net::parse_ip_address(via->host, &r.destination.address)) return r;
  r.needs_dns = true;
  return r;
}

Expected<size_t, sip::ParseError> build_forwarded_response(const sip::Message& resp,
                                                           std::string_view raw,
                                                           std::span<char> out) {
  if (resp.is_request()) {
    return unexpected(sip::make_error(sip::ParseErrorCode::kMismatch, "message", "not a response"));
  }
  if (!views_buffer(resp, raw)) {
    return unexpected(sip::make_error(sip::ParseErrorCode::kMismatch, "message",
                                      "does not view the given buffer"));
  }
  auto top = parse_top_via(resp);
  if (!top) return unexpected(top.error());

  OutputWriter w(out);
  w.put(resp.start_line);
  w.put("\r\n");
  for (size_t i = 0; i < resp.headers.size(); ++i) {
    if (i != top->row_index) {
      w.put(header_row(resp, i));
    } else if (top->row_has_more) {
      // "Via: ours, next" keeps "Via: next".
      w.put(row_prefix(resp.headers[i]));
      w.put(top->rest_of_row);
      w.put("\r\n");
    }
  }
  if (!resp.has_content_length) {
    w.put("Content-Length: ");
    w.put_decimal(static_cast<uint32_t>(resp.body.size()));
    w.put("\r\n");
  }
  w.put(blank_line_and_body(resp));
  return w.finish();
}

}  // namespace sipedge::proxy
