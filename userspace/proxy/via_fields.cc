#include "proxy/via_fields.h"

#include "proxy/message_rows.h"
#include "sip/char_class.h"
#include "sip/value_scanner.h"

namespace sipedge::proxy {
namespace {

// The Via value up to its parameters (protocol and sent-by), without trailing LWS and ';'.
std::string_view via_head(std::string_view element, const sip::Via& via) {
  if (via.params.empty()) return element;
  std::string_view head =
      element.substr(0, static_cast<size_t>(via.params.data() - element.data()));
  while (!head.empty() && (sip::is_lws(head.back()) || head.back() == ';')) head.remove_suffix(1);
  return head;
}

bool same_address(std::string_view host, const net::IpAddress& a) {
  net::IpAddress parsed;
  return net::parse_ip_address(host, &parsed) && parsed == a;
}

}  // namespace

Expected<TopVia, sip::ParseError> parse_top_via(const sip::Message& msg) {
  const sip::Header* h = msg.find(sip::HeaderId::kVia);
  if (h == nullptr) {
    return unexpected(sip::make_error(sip::ParseErrorCode::kMissingHeader, "Via", "missing"));
  }
  TopVia top;
  top.row_index = static_cast<size_t>(msg.first_index[static_cast<int>(sip::HeaderId::kVia)]);
  ListElements list(h->value);
  if (!list.next(&top.element) || top.element.empty()) {
    return unexpected(sip::make_error(sip::ParseErrorCode::kBadHeader, "Via", "empty value"));
  }
  top.rest_of_row = sip::trim_lws(list.rest());
  top.row_has_more = !top.rest_of_row.empty();
  auto via = sip::parse_via(top.element);
  if (!via) return unexpected(via.error());
  top.via = *via;
  return top;
}

std::optional<resolve::Transport> via_transport(std::string_view token) {
  if (sip::iequals(token, "UDP")) return resolve::Transport::kUdp;
  if (sip::iequals(token, "TCP")) return resolve::Transport::kTcp;
  if (sip::iequals(token, "TLS")) return resolve::Transport::kTls;
  if (sip::iequals(token, "WS")) return resolve::Transport::kWs;
  if (sip::iequals(token, "WSS")) return resolve::Transport::kWss;
  return std::nullopt;
}

std::string_view via_transport_token(resolve::Transport t) {
  switch (t) {
    case resolve::Transport::kUdp:
      return "UDP";
    case resolve::Transport::kTcp:
      return "TCP";
    case resolve::Transport::kTls:
      return "TLS";
    case resolve::Transport::kWs:
      return "WS";
    case resolve::Transport::kWss:
      return "WSS";
  }
  return "UDP";
}

bool via_is_local(const sip::Via& via, const LocalIdentity& me) {
  // A Via's port defaults by its transport (5061 for TLS), which is what `sips` selects.
  const bool tls = sip::iequals(via.transport, "TLS");
  return me.is_local(via.host, via.has_port ? via.port : 0, tls);
}

void write_via_with_received(OutputWriter& w, std::string_view element, const sip::Via& via,
                             const net::Endpoint& source) {
  w.put(via_head(element, via));
  sip::for_each_header_param(via.params, [&](const sip::HeaderParam& p) {
    if (sip::iequals(p.name, "received")) return true;  // replaced below
    w.put(';');
    if (sip::iequals(p.name, "rport")) {
      w.put(p.name);
      w.put('=');
      w.put_decimal(source.port);
      return true;
    }
    const char* end = p.has_value ? p.value.data() + p.value.size() : p.name.data() + p.name.size();
    w.put(std::string_view(p.name.data(), static_cast<size_t>(end - p.name.data())));
    return true;
  });
  // RFC 3581 §4: with rport the server adds received even when it equals sent-by.
  if (via.has_rport || !same_address(via.host, source.address)) {
    w.put(";received=");
    w.put_address(source.address);
  }
}

}  // namespace sipedge::proxy
