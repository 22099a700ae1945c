// Via header values (RFC 3261 §20.42, §18.2.1; RFC 3581 rport; RFC 5118 §4.5).
#pragma once

#include <cstdint>
#include <string_view>

#include "sipedge/expected.h"
#include "sip/parse_error.h"
#include "sip/uri.h"

namespace sipedge::sip {

struct Via {
  std::string_view protocol_name;     // "SIP"
  std::string_view protocol_version;  // "2.0"
  std::string_view transport;         // "UDP", "TCP", "TLS", "SCTP", "WS", ... as written
  std::string_view host;              // IPv6 without brackets
  HostKind host_kind = HostKind::kNone;
  uint16_t port = 0;
  bool has_port = false;
  std::string_view branch;
  bool has_branch = false;
  std::string_view received;  // brackets stripped
  bool has_received = false;
  std::string_view maddr;
  uint8_t ttl = 0;
  bool has_ttl = false;
  bool has_rport = false;
  uint16_t rport = 0;       // 0 when rport carries no value
  std::string_view params;  // raw via-params after sent-by, without the first ';'
};

// Parses one via-parm (a list element already split at top-level commas). Errors name Via.
Expected<Via, ParseError> parse_via(std::string_view element);

}  // namespace sipedge::sip
