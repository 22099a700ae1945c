// Address-family preference for the A/AAAA results of one host (RFC 8305 §4 interleaving).
#pragma once

#include <vector>

#include "resolve/dns_records.h"

namespace sipedge::resolve {

enum class FamilyPreference : uint8_t { kInterleave, kIpv6First, kIpv4First };

// Merges the AAAA and A answers of one host: kInterleave alternates starting with IPv6
// (RFC 8305), kIpv6First / kIpv4First put one family entirely before the other.
std::vector<IpAddress> order_addresses(const std::vector<IpAddress>& v6,
                                       const std::vector<IpAddress>& v4, FamilyPreference pref);

}  // namespace sipedge::resolve
