// Where forwarded requests arrive: a UDP socket and a TCP listener on the same address (the
// forwarder picks the transport from DNS), each TCP stream cut into messages by
// Content-Length. Runs its own thread; counts requests, their latency from the Call-ID
// stamp, and the responses that come back to the generator's sockets.
#pragma once

#include <atomic>
#include <cstdint>
#include <string>
#include <memory>
#include <thread>
#include <unordered_map>
#include <vector>

#include "sipedge/expected.h"
#include "latency_histogram.h"
#include "net/endpoint.h"

namespace sipedge::bench {

struct SinkCounts {
  uint64_t udp = 0;        // requests received over UDP (all phases)
  uint64_t tcp = 0;        // requests received over TCP (all phases)
  uint64_t measured = 0;   // requests with seq >= measure_from
  uint64_t proxied = 0;    // measured requests whose Max-Forwards a proxy decremented
  uint64_t unstamped = 0;  // messages without our Call-ID stamp
  uint64_t responses = 0;  // datagrams/bytes-chunks read back on the generator's sockets
};

class Sink {
 public:
  Sink() = default;
  Sink(const Sink&) = delete;
  Sink& operator=(const Sink&) = delete;
  ~Sink();

  // Binds UDP and TCP on `at` (root may enlarge the buffers); the thread starts with run().
  Expected<bool, std::string> open(const net::Endpoint& at);
  // Also reads (and counts, then discards) whatever comes back on fd, a generator socket.
  void watch_responses(int fd);
  // After each round of reads, sleep this long before looking again (0: wake per arrival).
  // Under full load a pause lets requests queue (the socket buffer holds ~40 ms of them) so
  // each wake reads a full batch and the generator on the same core keeps its CPU; at a
  // fixed moderate rate, 0 gives each request its own arrival time.
  void set_poll_interval_us(unsigned us) { poll_interval_us_ = us; }
  // Starts the receive thread.
  void run();
  // Requests whose seq is at least `seq` are counted as measured and their latency recorded.
  void measure_from(uint64_t seq) { measure_from_.store(seq, std::memory_order_relaxed); }
  // A snapshot of the counters (safe while running).
  SinkCounts counts() const;
  // Stops and joins the thread; latency() and first_response() are valid after this.
  void stop();
  const LatencyHistogram& latency() const { return latency_; }
  // The first line of the first response seen, for diagnosis ("" if none).
  const std::string& first_response() const { return first_response_; }
  // Whether the receive thread got real-time priority (root); valid after stop().
  bool realtime() const { return realtime_; }

 private:
  struct Stream {
    int fd = -1;
    std::vector<char> buffer;
    size_t used = 0;
  };
  void loop();
  void drain_udp();
  void accept_streams();
  bool read_stream(Stream* s);  // false when the stream closed
  void drain_responses(int fd);
  void on_request(const char* data, size_t size, bool tcp);

  int epoll_ = -1;
  int stop_fd_ = -1;
  int udp_ = -1;
  int listener_ = -1;
  std::vector<int> response_fds_;
  std::unordered_map<int, std::unique_ptr<Stream>> streams_;
  std::thread thread_;
  std::atomic<uint64_t> measure_from_{~uint64_t{0}};
  std::atomic<uint64_t> udp_count_{0}, tcp_count_{0}, measured_{0}, proxied_{0}, unstamped_{0},
      responses_{0};
  LatencyHistogram latency_;
  std::string first_response_;
  bool realtime_ = false;
  unsigned poll_interval_us_ = 0;
};

}  // namespace sipedge::bench
