// The hop transports the router speaks and what RFC 3263 / RFC 7118 attach to each:
// default port, SRV service label, NAPTR service tag, and whether it is TLS-protected.
#pragma once

#include <cstdint>
#include <optional>
#include <string_view>

namespace sipedge::resolve {

enum class Transport : uint8_t { kUdp, kTcp, kTls, kWs, kWss };

// "udp", "tcp", "tls", "ws", "wss" (the JSON contract's spelling).
std::string_view transport_name(Transport t);

// True for transports that run over TLS (R3: the only ones a sips: URI may use).
bool is_secure(Transport t);

// 5060 for plaintext, 5061 for TLS (RFC 3261 §19.1.2); 80/443 for WS/WSS (RFC 7118).
uint16_t default_port(Transport t);

// The SRV owner-name prefix, e.g. "_sips._tcp" for TLS (RFC 3263 §4.2, RFC 7118 `_ws`).
std::string_view srv_prefix(Transport t);

// Maps a URI's `transport=` value (already lower-case) to the hop transport, honouring
// sips: (transport=tcp or ws under sips: means TLS / WSS). nullopt: not a transport we
// speak (sctp, or unknown tokens).
std::optional<Transport> transport_from_param(std::string_view value, bool sips);

}  // namespace sipedge::resolve
