// Via values as the proxy reads and writes them: the top value of a message, the transport
// token, whether a sent-by is ours, and the RFC 3581 §4 rewrite of a received Via.
#pragma once

#include <optional>
#include <string_view>

#include "net/endpoint.h"
#include "proxy/output_writer.h"
#include "proxy/stateless_proxy.h"
#include "resolve/transport.h"
#include "sip/sip_message.h"
#include "sip/via.h"

namespace sipedge::proxy {

struct TopVia {
  size_t row_index = 0;          // index of the first Via row in Message::headers
  std::string_view element;      // the first value of that row, trimmed
  std::string_view rest_of_row;  // what follows the first value's comma (may be empty)
  bool row_has_more = false;     // the row holds further values
  sip::Via via;
};

// Parses the first value of the first Via row. Errors name Via.
Expected<TopVia, sip::ParseError> parse_top_via(const sip::Message& msg);

// "UDP", "tcp", "TLS", "WS", "WSS" (any case) → transport; nullopt for SCTP and others.
std::optional<resolve::Transport> via_transport(std::string_view token);

// The transport token our own Via carries: "UDP", "TCP", "TLS", "WS", "WSS".
std::string_view via_transport_token(resolve::Transport t);

// True when the Via's sent-by names this proxy.
bool via_is_local(const sip::Via& via, const LocalIdentity& me);

// Writes `element` (a parsed Via value) with RFC 3581 §4 applied for a request from `source`:
// received=<source address> when the sent-by host differs from it or the client asked for
// rport, rport=<source port> when the client asked for rport. Stale received/rport values
// the element carried are replaced; every other parameter is kept in order.
void write_via_with_received(OutputWriter& w, std::string_view element, const sip::Via& via,
                             const net::Endpoint& source);

}  // namespace sipedge::proxy
