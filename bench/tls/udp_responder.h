// Where the proxy under test forwards the benchmark's requests: a UDP socket that answers
// every request with a 200 OK (ok_response.h) sent back to the datagram's source (the proxy's
// UDP listener, which is also its top Via). Runs its own thread, as a real-time thread when
// allowed, so it answers at once and never drops what a proxy delivered.
#pragma once

#include <atomic>
#include <cstdint>
#include <string>
#include <thread>

#include "net/endpoint.h"
#include "sipedge/expected.h"

namespace sipedge::bench {

class UdpResponder {
 public:
  UdpResponder() = default;
  UdpResponder(const UdpResponder&) = delete;
  UdpResponder& operator=(const UdpResponder&) = delete;
  ~UdpResponder();

  // Binds UDP on `at` and starts answering.
  Expected<bool, std::string> start(const net::Endpoint& at);
  // Stops and joins the thread (idempotent).
  void stop();

  uint64_t requests() const { return requests_.load(std::memory_order_relaxed); }
  // Requests that arrived with Max-Forwards 69: a proxy decremented the generator's 70.
  uint64_t proxied() const { return proxied_.load(std::memory_order_relaxed); }
  // Requests that could not be answered (not SIP, or missing a header).
  uint64_t unanswerable() const { return unanswerable_.load(std::memory_order_relaxed); }
  // Whether the thread got real-time priority (root).
  bool realtime() const { return realtime_.load(std::memory_order_relaxed); }

 private:
  void loop();

  int fd_ = -1;
  std::thread thread_;
  std::atomic<bool> stopping_{false};
  std::atomic<bool> realtime_{false};
  std::atomic<uint64_t> requests_{0}, proxied_{0}, unanswerable_{0};
};

}  // namespace sipedge::bench
