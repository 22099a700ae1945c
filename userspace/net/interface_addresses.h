// The host's own addresses (getifaddrs), for turning a wildcard listener into one socket
// per address: our Via and Record-Route must name an address a peer can reach, which a
// wildcard cannot be.
#pragma once

#include <vector>

#include "net/endpoint.h"

namespace sipedge::net {

// Every IPv4 (family 4) or IPv6 (family 6) address configured on an interface that is up,
// without IPv6 link-local addresses (they need a scope a SIP URI cannot carry).
std::vector<IpAddress> interface_addresses(int family);

// True for 0.0.0.0 and ::.
bool is_wildcard(const IpAddress& a);

}  // namespace sipedge::net
