// The load side: sends benchmark requests to a forwarder over several UDP sockets
// (sendmmsg, one batch per call) or over a few persistent TCP connections (one write per
// batch), paced to a fixed rate or as fast as it can. Every request gets the next sequence
// number and the send time (see bench_request.h).
#pragma once

#include <cstddef>
#include <cstdint>
#include <memory>
#include <string>
#include <vector>

#include "bench_request.h"
#include "net/endpoint.h"
#include "sipedge/expected.h"

namespace sipedge::bench {

struct RequestShape {
  std::string request_uri = "sip:bench@bench.test";
  size_t size = 400;
};

struct Pace {
  double rate = 0;  // requests/s; 0 = as fast as the sockets take them
  double seconds = 1;
  size_t batch = 64;  // most requests per syscall
};

class Generator {
 public:
  virtual ~Generator() = default;
  // Sockets the forwarder may answer on (the sink counts what comes back).
  virtual std::vector<int> fds() const = 0;
  // Sends n (<= batch) requests numbered from seq; returns how many the kernel took.
  virtual size_t send_batch(uint64_t seq, size_t n) = 0;

  // Sends for pace.seconds at pace.rate, numbering from *seq (advanced); returns requests sent.
  uint64_t run(const Pace& pace, uint64_t* seq);
};

// `sockets` UDP sockets connected to target, each with its own source port (so SO_REUSEPORT
// spreads them over a forwarder's workers).
Expected<std::unique_ptr<Generator>, std::string> open_udp_generator(const net::Endpoint& target,
                                                                     size_t sockets,
                                                                     const RequestShape& shape,
                                                                     size_t batch);

// `connections` TCP connections to target, retried until connect succeeds or
// connect_timeout_s passes.
Expected<std::unique_ptr<Generator>, std::string> open_tcp_generator(const net::Endpoint& target,
                                                                     size_t connections,
                                                                     const RequestShape& shape,
                                                                     size_t batch,
                                                                     double connect_timeout_s);

}  // namespace sipedge::bench
