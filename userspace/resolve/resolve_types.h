// What the resolver is asked (ResolveRequest, built from a URI by uri_adapter.h) and what it
// answers (ResolveResult: the ordered targets plus the DNS steps that led to them).
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "resolve/dns_records.h"
#include "resolve/transport.h"

namespace sipedge::resolve {

enum class HostKind : uint8_t { kName, kIPv4, kIPv6 };

// The parts of a SIP/SIPS URI that RFC 3263 §4 looks at, decoupled from the SIP parser.
struct ResolveRequest {
  bool sips = false;
  std::string host;  // IPv6 without brackets; names as written (normalised by the resolver)
  HostKind host_kind = HostKind::kName;
  std::optional<uint16_t> port;
  std::optional<std::string> transport;  // the transport= value, lower-cased
  // The maddr= value (RFC 3263 §4: TARGET when present), unescaped; names as written,
  // IP addresses without brackets.
  std::optional<std::string> maddr;
};

// One next hop to try. `host` is where the address came from (SRV target or URI host);
// `tls_identity` is the URI's domain for TLS hops (R8), empty for plaintext hops.
struct Target {
  Transport transport = Transport::kUdp;
  std::string host;
  uint16_t port = 0;
  IpAddress address;
  std::string tls_identity;
};

// One DNS lookup made on the way (for --json "steps", logs and tests).
struct DnsStep {
  std::string name;
  RrType type = RrType::kA;
  DnsStatus status = DnsStatus::kNoError;
  uint32_t answers = 0;
  bool from_cache = false;
  bool stale = false;  // served from an expired cache entry because the upstream failed
  // Seconds the cached answer has left (cache steps only; UINT32_MAX when not from the
  // cache): a result built from cached answers is reusable only that long.
  uint32_t ttl_left_s = UINT32_MAX;
};

struct ResolveResult {
  std::vector<Target> targets;  // in the order to try them (quarantined ones last)
  std::vector<DnsStep> steps;
  std::string tls_identity;  // the domain of the resolved URI (R8)
  std::string error;         // why there are no targets (empty on success)
  int round_trips = 0;       // sequential waves of DNS queries that went to the network
  // The smallest TTL (seconds) of every DNS answer the result depends on: how long a caller
  // may reuse the targets as they are. 0 when an answer was uncachable or served stale.
  uint32_t min_ttl_s = UINT32_MAX;
};

}  // namespace sipedge::resolve
