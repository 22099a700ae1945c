// Text → value checks shared by the TOML loader and the command line, so a setting means the
// same and fails with the same words wherever it is given. Each error is the "what is wrong"
// part of a message; the caller prefixes the location ("FILE:LINE: key: " or "--flag: ").
#pragma once

#include <cstdint>
#include <string>
#include <string_view>

#include "config/daemon_config.h"

namespace sipedge::config {

template <typename T>
using Checked = Expected<T, std::string>;

// "10.0.0.0/8", "2001:db8::/32" or a bare address (a /32 or /128) → canonical "ADDR/LEN".
// Host bits beyond the length are an error (a typo is likelier than intent).
Checked<std::string> check_cidr(std::string_view text);

// A numeric "ADDR:PORT" or "[V6ADDR]:PORT", port 1..65535.
Checked<net::Endpoint> check_endpoint(std::string_view text);

// A DNS server: "ADDR:PORT", "[V6]:PORT" or a bare address (port 53) → canonical "ADDR:PORT".
Checked<std::string> check_dns_server(std::string_view text);

// A numeric listener address; IPv6 with or without brackets.
Checked<net::IpAddress> check_listen_address(std::string_view text);

// "udp", "tcp" or "tls" (the transports a listener may name; tls is refused later).
Checked<resolve::Transport> check_listener_transport(std::string_view text);

// "TRANSPORT:ADDR:PORT" as --listen takes it, e.g. "udp:0.0.0.0:5060", "tcp:[::1]:5060".
Checked<ListenerConfig> check_listen_spec(std::string_view text);

// A host name or numeric address (IPv6 with or without brackets) → lower-case, no brackets.
Checked<std::string> check_host_name(std::string_view text);

// A sip: or sips: URI (RFC 3261 grammar) → as written.
Checked<std::string> check_next_hop_uri(std::string_view text);

// "DOMAIN=URI" as --route takes it.
Checked<StaticRoute> check_route_spec(std::string_view text);

// "auto", "native" or "generic".
Checked<std::string> check_xdp_mode(std::string_view text);

// An interface name as the kernel accepts it (1..15 bytes, no '/', ':' or white space).
Checked<std::string> check_iface(std::string_view text);

// A decimal integer in [min, max].
Checked<int64_t> check_integer_text(std::string_view text, int64_t min, int64_t max);

// "must be MIN..MAX, got VALUE" (the shared range message).
std::string range_message(int64_t min, int64_t max, int64_t got);

}  // namespace sipedge::config
