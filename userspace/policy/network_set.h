// A set of IPv4/IPv6 networks (CIDRs) built once from configuration and then queried on
// every message: membership is a binary search over disjoint, merged address ranges, so
// overlapping or nested prefixes, /0 and host routes need no special cases and a lookup
// neither allocates nor locks. Immutable after building; safe to read from many threads.
#pragma once

#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "resolve/dns_records.h"
#include "sipedge/expected.h"

namespace sipedge::policy {

class NetworkSet {
 public:
  // One configured entry, as written (host bits are zero; length 32/128 for a bare address).
  struct Prefix {
    resolve::IpAddress network;
    uint8_t length = 0;
    bool operator==(const Prefix&) const = default;
  };

  // Adds "192.0.2.0/24", "2001:db8::/32" or a bare address. Returns true when the set now
  // covers more addresses, false when earlier entries already covered all of `cidr` (still
  // recorded in prefixes()). The error names the bad CIDR and what is wrong with it: not an
  // address, a bad length, host bits set, or an IPv4-mapped IPv6 prefix (sources arrive
  // normalised to IPv4, so such a prefix could never match).
  Expected<bool, std::string> add(std::string_view cidr);

  // True when `address` lies in any added network. An IPv6 address is only compared with
  // IPv6 networks (an IPv4-mapped address is not an IPv4 one). No allocation, no lock.
  bool contains(const resolve::IpAddress& address) const;

  // Number of entries added (including redundant ones).
  size_t size() const { return prefixes_.size(); }
  bool empty() const { return prefixes_.empty(); }

  // The entries in the order they were added (e.g. to fill the XDP LPM tries).
  const std::vector<Prefix>& prefixes() const { return prefixes_; }

 private:
  using V6 = unsigned __int128;
  template <typename A>
  struct Range {
    A first;
    A last;  // inclusive, so /0 fits without overflow
  };

  std::vector<Range<uint32_t>> v4_;  // sorted by first, disjoint and non-adjacent
  std::vector<Range<V6>> v6_;        // likewise
  std::vector<Prefix> prefixes_;
};

// Parses "ADDR/LEN" or a bare address into a Prefix, with the same checks and error text
// as NetworkSet::add.
Expected<NetworkSet::Prefix, std::string> parse_prefix(std::string_view cidr);

}  // namespace sipedge::policy
