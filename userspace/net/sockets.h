// The sockets a worker owns: SO_REUSEPORT listeners (one per worker per listener, so the
// kernel spreads flows across workers without any shared accept queue), and the outgoing
// TCP sockets. All non-blocking; the worker's ring does the waiting.
#pragma once

#include <string>

#include "net/endpoint.h"
#include "net/unique_fd.h"
#include "sipedge/expected.h"

namespace sipedge::net {

// UDP socket bound to `ep` with SO_REUSEPORT (when `reuseport`), IP_RECVERR/IPV6_RECVERR
// (ICMP unreachable feeds RFC 3263 §4.3 failover) and large buffers. `ep.port` 0 binds an
// ephemeral port. The error names the endpoint and errno.
Expected<UniqueFd, std::string> open_udp_socket(const Endpoint& ep, bool reuseport);

// Listening TCP socket on `ep` with SO_REUSEPORT.
Expected<UniqueFd, std::string> open_tcp_listener(const Endpoint& ep, int backlog);

// Why a connect could not start: `local` when this process or host ran out of something
// (descriptors, memory, ports), which says nothing about the next hop.
struct ConnectError {
  std::string message;
  bool local = false;
};

// Starts a non-blocking connect to `to`; returns the socket (connect in progress or done).
Expected<UniqueFd, ConnectError> start_tcp_connect(const Endpoint& to);

// The local address a socket is bound to.
bool local_endpoint(int fd, Endpoint* out);

}  // namespace sipedge::net
