#include "resolve/transport.h"

namespace sipedge::resolve {

std::string_view transport_name(Transport t) {
  switch (t) {
    case Transport::kUdp:
      return "udp";
    case Transport::kTcp:
      return "tcp";
    case Transport::kTls:
      return "tls";
    case Transport::kWs:
      return "ws";
    case Transport::kWss:
      return "wss";
  }
  return "udp";
}

bool is_secure(Transport t) { return t == Transport::kTls || t == Transport::kWss; }

uint16_t default_port(Transport t) {
  switch (t) {
    case Transport::kUdp:
    case Transport::kTcp:
      return 5060;
    case Transport::kTls:
      return 5061;
    case Transport::kWs:
      return 80;
    case Transport::kWss:
      return 443;
  }
  return 5060;
}

std::string_view srv_prefix(Transport t) {
  switch (t) {
    case Transport::kUdp:
      return "_sip._udp";
    case Transport::kTcp:
      return "_sip._tcp";
    case Transport::kTls:
      return "_sips._tcp";
    case Transport::kWs:
      return "_sip._ws";
    case Transport::kWss:
      return "_sips._ws";
  }
  return "_sip._udp";
}

std::optional<Transport> transport_from_param(std::string_view value, bool sips) {
  if (value == "udp") return Transport::kUdp;  // under sips: rejected by the resolver (R3)
  if (value == "tcp") return sips ? Transport::kTls : Transport::kTcp;
  if (value == "tls") return Transport::kTls;  // R5: selects TLS, the URI stays as it is
  if (value == "ws") return sips ? Transport::kWss : Transport::kWs;
  if (value == "wss") return Transport::kWss;
  return std::nullopt;
}

}  // namespace sipedge::resolve
