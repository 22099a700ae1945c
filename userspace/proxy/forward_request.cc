// build_forwarded_request: the request as it leaves (§16.6 steps 4-8, RFC 3581 §4), every row
// the proxy does not own copied byte for byte.
#include "proxy/message_rows.h"
#include "proxy/output_writer.h"
#include "proxy/route_processing.h"
#include "proxy/stateless_proxy.h"
#include "proxy/via_fields.h"

namespace sipedge::proxy {
namespace {

Expected<size_t, sip::ParseError> fail(sip::ParseErrorCode code, std::string_view where,
                                       const char* what) {
  return unexpected(sip::make_error(code, where, what));
}

// The transport= parameter of our Record-Route URI (R7: the scheme comes from policy).
std::string_view record_route_transport_param(resolve::Transport t, bool sips) {
  switch (t) {
    case resolve::Transport::kUdp:
      return {};
    case resolve::Transport::kTcp:
      return "tcp";
    case resolve::Transport::kTls:
      return sips ? std::string_view{} : "tls";  // sips: already means TLS over TCP
    case resolve::Transport::kWs:
      return "ws";
    case resolve::Transport::kWss:
      return "wss";
  }
  return {};
}

void write_record_route_value(OutputWriter& w, bool sips, const net::Endpoint& local,
                              resolve::Transport t) {
  w.put(sips ? "Record-Route: <sips:" : "Record-Route: <sip:");
  w.put_endpoint(local);
  std::string_view transport = record_route_transport_param(t, sips);
  if (!transport.empty()) {
    w.put(";transport=");
    w.put(transport);
  }
  w.put(";lr>\r\n");
}

// §16.6 step 4: "Record-Route: <sip:ADDR:PORT;transport=tcp;lr>" — lr makes us a loose router.
// When the request leaves on another transport or address than it came in on, two values
// (RFC 5658 double Record-Route): the top one is where the next hop's side reaches us, the
// second where the previous hop's side does; both are ours, so a request routed through us
// has both removed.
void write_record_route(OutputWriter& w, const ForwardOptions& opts) {
  const bool sips = opts.record_route_scheme == "sips";
  bool out_known = opts.out_local.port != 0;
  if (out_known && (opts.out_transport != opts.record_route_transport ||
                    opts.out_local != opts.record_route_local)) {
    write_record_route_value(w, sips, opts.out_local, opts.out_transport);
  }
  write_record_route_value(w, sips, opts.record_route_local, opts.record_route_transport);
}

// Our Via (§16.6 step 8), with rport so the next hop answers to where we sent from. Returns
// where the branch starts in the output (its MAC is sealed once the Via below is written).
size_t write_own_via(OutputWriter& w, const RequestPlan& plan, const ForwardOptions& opts) {
  w.put("Via: SIP/2.0/");
  w.put(via_transport_token(opts.out_transport));
  w.put(' ');
  w.put_endpoint(opts.out_local);
  w.put(";branch=");
  size_t branch_at = w.size();
  w.put(std::string_view(plan.branch_text.data(), kBranchSize));
  w.put(";rport\r\n");
  return branch_at;
}

// A Route row without the values that are ours (§16.4) or moved into the Request-URI.
void write_route_row(OutputWriter& w, const sip::Message& req, size_t row, uint16_t* index,
                     const RequestPlan& plan) {
  const sip::Header& h = req.headers[row];
  uint16_t first = *index;
  uint16_t values = 0;
  uint16_t kept = 0;
  {
    ListElements list(h.value);
    std::string_view element;
    while (list.next(&element)) {
      kept += route_value_kept(static_cast<uint16_t>(first + values), plan.route_count,
                               plan.pop_own_routes, plan.strict_router_fixup);
      ++values;
    }
  }
  *index = static_cast<uint16_t>(first + values);
  if (kept == values) {
    w.put(header_row(req, row));
    return;
  }
  if (kept == 0) return;
  w.put(row_prefix(h));
  ListElements list(h.value);
  std::string_view element;
  bool separator = false;
  for (uint16_t i = first; list.next(&element); ++i) {
    if (!route_value_kept(i, plan.route_count, plan.pop_own_routes, plan.strict_router_fixup)) {
      continue;
    }
    if (separator) w.put(", ");
    w.put(element);
    separator = true;
  }
  w.put("\r\n");
}

void write_start_line(OutputWriter& w, const sip::Message& req, const RequestPlan& plan) {
  if (!plan.strict_router_fixup) {
    w.put(req.start_line);  // R1: the Request-URI as received, byte for byte
  } else {
    // §16.4: the Request-URI becomes the last Route value (it was ours).
    const std::string_view version = req.start_line.substr(req.start_line.rfind(' '));
    w.put(req.method);
    w.put(' ');
    w.put(plan.request_uri.text);
    w.put(version);
  }
  w.put("\r\n");
}

}  // namespace

Expected<size_t, sip::ParseError> build_forwarded_request(
    const sip::Message& req, std::string_view raw, const RequestPlan& plan, const Inbound& in,
    const ForwardOptions& opts, std::span<char> out) {
  if (!req.is_request() || plan.kind != RequestPlan::Kind::kForward) {
    return fail(sip::ParseErrorCode::kMismatch, "plan", "not a request planned for forwarding");
  }
  if (!views_buffer(req, raw)) {
    return fail(sip::ParseErrorCode::kMismatch, "message", "does not view the given buffer");
  }
  auto top = parse_top_via(req);
  if (!top) return unexpected(top.error());

  OutputWriter w(out);
  write_start_line(w, req, plan);
  const size_t branch_at = write_own_via(w, plan, opts);
  size_t via_at = 0, via_end = 0;  // the Via below ours, as written
  if (opts.record_route) write_record_route(w, opts);
  if (plan.add_max_forwards) {
    w.put("Max-Forwards: ");
    w.put_decimal(plan.max_forwards_out);
    w.put("\r\n");
  }
  bool max_forwards_written = plan.add_max_forwards;
  uint16_t route_index = 0;
  for (size_t i = 0; i < req.headers.size(); ++i) {
    const sip::Header& h = req.headers[i];
    if (h.id == sip::HeaderId::kVia && i == top->row_index) {
      w.put(row_prefix(h));
      via_at = w.size();
      write_via_with_received(w, top->element, top->via, in.source);
      via_end = w.size();
      if (top->row_has_more) {
        w.put(", ");
        w.put(top->rest_of_row);
      }
      w.put("\r\n");
    } else if (h.id == sip::HeaderId::kMaxForwards) {
      // §16.6 step 3; a duplicate row is dropped so the next hop sees one, decremented, value.
      if (!max_forwards_written) {
        w.put(row_prefix(h));
        w.put_decimal(plan.max_forwards_out);
        w.put("\r\n");
        max_forwards_written = true;
      }
    } else if (h.id == sip::HeaderId::kRoute) {
      write_route_row(w, req, i, &route_index, plan);
    } else {
      w.put(header_row(req, i));
    }
  }
  if (!req.has_content_length) {
    // A datagram may omit it; a stream hop cannot frame the message without it.
    w.put("Content-Length: ");
    w.put_decimal(static_cast<uint32_t>(req.body.size()));
    w.put("\r\n");
  }
  w.put(blank_line_and_body(req));
  auto n = w.finish();
  if (!n) return n;
  std::span<char> bytes = w.written();
  seal_branch(opts.branch_key, std::string_view(bytes.data() + via_at, via_end - via_at),
              std::span<char, kBranchSize>(bytes.data() + branch_at, kBranchSize));
  return n;
}

}  // namespace sipedge::proxy
