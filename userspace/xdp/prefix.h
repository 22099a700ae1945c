// Source prefixes for the policy tries: "192.0.2.0/24", "2001:db8::/32", or a bare address
// (a /32 or /128). The address is masked to its prefix length so equal prefixes compare equal.
#pragma once

#include <string>
#include <string_view>

#include "sipedge/bpf_abi.h"
#include "xdp/status.h"

namespace sipedge::xdp {

struct Prefix {
  int family = 0;  // 4 or 6
  sipedge_lpm4_key v4{};
  sipedge_lpm6_key v6{};
};

// Parses a prefix; the error names the bad text ("bad prefix: 10.0.0.0/33").
Result<Prefix> ParsePrefix(std::string_view text);
// Formats an LPM key as "addr/len".
std::string FormatPrefix(const sipedge_lpm4_key& key);
std::string FormatPrefix(const sipedge_lpm6_key& key);

}  // namespace sipedge::xdp
