// An IP endpoint (address + port) as every part of the router names a peer or a listener:
// the source of a request, the next hop a target resolved to, a trusted-downgrade hop.
// The address type is the resolver's, so a resolved target needs no conversion.
#pragma once

#include <netinet/in.h>
#include <sys/socket.h>

#include <cstdint>
#include <cstring>
#include <string>
#include <string_view>

#include "resolve/dns_records.h"

namespace sipedge::net {

using resolve::IpAddress;

struct Endpoint {
  IpAddress address;
  uint16_t port = 0;

  bool operator==(const Endpoint&) const = default;
  // "192.0.2.1:5060" or "[2001:db8::1]:5060".
  std::string to_string() const {
    std::string a = address.to_string();
    return address.family == 6 ? "[" + a + "]:" + std::to_string(port)
                               : a + ":" + std::to_string(port);
  }
};

// Reads an AF_INET/AF_INET6 socket address (IPv4-mapped IPv6 becomes IPv4). False otherwise.
inline bool endpoint_from_sockaddr(const sockaddr* sa, Endpoint* out) {
  if (sa->sa_family == AF_INET) {
    const auto* in = reinterpret_cast<const sockaddr_in*>(sa);
    out->address = IpAddress{};
    out->address.family = 4;
    std::memcpy(out->address.bytes.data(), &in->sin_addr, 4);
    out->port = ntohs(in->sin_port);
    return true;
  }
  if (sa->sa_family == AF_INET6) {
    const auto* in6 = reinterpret_cast<const sockaddr_in6*>(sa);
    out->address = IpAddress{};
    if (IN6_IS_ADDR_V4MAPPED(&in6->sin6_addr)) {
      out->address.family = 4;
      std::memcpy(out->address.bytes.data(), &in6->sin6_addr.s6_addr[12], 4);
    } else {
      out->address.family = 6;
      std::memcpy(out->address.bytes.data(), &in6->sin6_addr, 16);
    }
    out->port = ntohs(in6->sin6_port);
    return true;
  }
  return false;
}

// Writes `ep` as a sockaddr_in/sockaddr_in6; returns its length.
inline socklen_t endpoint_to_sockaddr(const Endpoint& ep, sockaddr_storage* out) {
  std::memset(out, 0, sizeof(*out));
  if (ep.address.family == 4) {
    auto* in = reinterpret_cast<sockaddr_in*>(out);
    in->sin_family = AF_INET;
    in->sin_port = htons(ep.port);
    std::memcpy(&in->sin_addr, ep.address.bytes.data(), 4);
    return sizeof(sockaddr_in);
  }
  auto* in6 = reinterpret_cast<sockaddr_in6*>(out);
  in6->sin6_family = AF_INET6;
  in6->sin6_port = htons(ep.port);
  std::memcpy(&in6->sin6_addr, ep.address.bytes.data(), 16);
  return sizeof(sockaddr_in6);
}

// Parses a numeric IPv4 or IPv6 address (no brackets). False for anything else.
bool parse_ip_address(std::string_view text, IpAddress* out);

// Parses "ADDR:PORT" or "[V6ADDR]:PORT" with a numeric address and a port in 1..65535.
bool parse_endpoint(std::string_view text, Endpoint* out);

}  // namespace sipedge::net
