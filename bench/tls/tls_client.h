// The TLS side of tls_loadgen: many client connections to one TLS listener on a single
// epoll loop, non-blocking sockets with OpenSSL on them. It opens connections (full
// handshakes, optionally resuming one saved session), churns them (connect, handshake,
// close) and drives SIP MESSAGE requests over open ones with a window of outstanding
// requests per connection, counting the 200 OK responses that come back.
#pragma once

#include <openssl/ssl.h>

#include <cstddef>
#include <cstdint>
#include <functional>
#include <memory>
#include <string>
#include <vector>

#include "bench_request.h"
#include "latency_histogram.h"
#include "net/endpoint.h"
#include "sipedge/expected.h"

namespace sipedge::bench {

struct ClientConfig {
  net::Endpoint target;
  std::string request_uri = "sip:bench@127.0.0.2:5070";
  size_t request_size = 400;
  std::string ca;           // PEM CA verifying the server; "" = no chain verification
  std::string server_name;  // SNI (and the name verified when ca is set); "" = none
};

// What one run counted; rates are the caller's (it knows the window).
struct LoadCounts {
  uint64_t handshakes = 0;  // completed
  uint64_t resumed = 0;     // of those, abbreviated (session resumed)
  uint64_t handshake_failures = 0;
  uint64_t sent = 0;         // requests written
  uint64_t ok = 0;           // 200 OK responses read
  uint64_t other = 0;        // any other response
  uint64_t lost = 0;         // requests given up (no answer on their connection for 2 s)
  uint64_t closed = 0;       // open connections the server closed or broke
  LatencyHistogram latency;  // request sent -> 200 OK read (measured window only)
  std::string first_other;   // first line of the first non-200 response
  std::string first_error;   // first connection / handshake error
};

class TlsClient {
 public:
  ~TlsClient();
  TlsClient(const TlsClient&) = delete;
  TlsClient& operator=(const TlsClient&) = delete;

  // An SSL_CTX for the target (TLS 1.2+, OpenSSL defaults otherwise) and an epoll set.
  static Expected<std::unique_ptr<TlsClient>, std::string> create(const ClientConfig& config);

  // Opens n connections, at most `concurrency` handshakes at a time, and waits (bounded by
  // timeout_s) until all completed or failed; returns how many are open.
  size_t open(size_t n, size_t concurrency, double timeout_s, LoadCounts* counts);
  // Sends one request on every open connection and waits (bounded) for every answer.
  void transact_once(double timeout_s, LoadCounts* counts);
  // Windowed load over the open connections: `window` requests outstanding on each, topped
  // up in one write as answers arrive. Warms up for warmup_s, then calls on_start, counts
  // for seconds into *measured, calls on_end, and waits (bounded) for the outstanding ones.
  void run_messages(size_t window, double warmup_s, double seconds,
                    const std::function<void()>& on_start, const std::function<void()>& on_end,
                    LoadCounts* measured);
  // Handshake churn: keeps `concurrency` connections in flight, each connect + handshake +
  // close; with resume, each offers the session saved from a first full handshake. Warms up
  // for warmup_s, then counts for seconds into *measured between on_start and on_end.
  void run_handshakes(size_t concurrency, bool resume, double warmup_s, double seconds,
                      const std::function<void()>& on_start, const std::function<void()>& on_end,
                      LoadCounts* measured);
  // Closes every connection (close_notify, then close).
  void close_all();
  size_t open_count() const;
  // Protocol, cipher and key-exchange group of the last completed handshake.
  std::string negotiated() const { return negotiated_; }

 private:
  struct Connection;
  TlsClient() = default;
  Connection* start_connection(LoadCounts* counts, SSL_SESSION* offer);
  void poll(int timeout_ms, LoadCounts* counts);
  void on_event(Connection* c, uint32_t events, LoadCounts* counts);
  void advance_handshake(Connection* c, LoadCounts* counts);
  void read_responses(Connection* c, LoadCounts* counts);
  void send_requests(Connection* c, size_t n, LoadCounts* counts);
  void flush(Connection* c, LoadCounts* counts);
  void set_events(Connection* c, uint32_t events);
  void fail(Connection* c, const std::string& why, LoadCounts* counts);
  void release(Connection* c, bool graceful);
  void top_up(LoadCounts* counts);
  void give_up_stale(LoadCounts* counts);
  static int on_new_session(SSL* ssl, SSL_SESSION* session);

  ClientConfig config_;
  SSL_CTX* ctx_ = nullptr;
  int epoll_ = -1;
  std::vector<std::unique_ptr<Connection>> connections_;
  std::vector<size_t> free_slots_;
  SSL_SESSION* saved_session_ = nullptr;
  uint64_t seq_ = 1;
  size_t handshaking_ = 0;  // connections started whose handshake has not finished
  std::vector<char> scratch_ = std::vector<char>(64 * 1024);
  size_t window_ = 0;       // > 0 while run_messages tops connections up
  bool churn_ = false;      // run_handshakes: close each connection once its handshake is done
  bool recording_ = false;  // record latency
  std::string negotiated_;
};

}  // namespace sipedge::bench
