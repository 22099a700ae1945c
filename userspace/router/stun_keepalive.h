// RFC 5626 §4.4.1 / §8.4: a UDP flow keep-alive is a STUN Binding request (RFC 5389) on the
// SIP port; the edge answers with a Binding success response carrying XOR-MAPPED-ADDRESS,
// which tells the client its flow (and NAT binding) is alive.
#pragma once

#include <cstddef>
#include <span>
#include <string_view>

#include "net/endpoint.h"

namespace sipedge::router {

// True when `datagram` is a STUN Binding request: type 0x0001, the magic cookie, a length
// that matches the datagram and is a multiple of 4.
bool is_stun_binding_request(std::string_view datagram);

// Writes the Binding success response to `request` for a client seen at `source`; returns
// its length, or 0 when `out` is too small (at least 44 bytes are needed for IPv6).
size_t write_stun_binding_response(std::string_view request, const net::Endpoint& source,
                                   std::span<char> out);

}  // namespace sipedge::router
