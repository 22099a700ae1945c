// c-ares channels whose sockets are driven by the caller's event loop: c-ares reports
// which sockets it wants watched (ARES_OPT_SOCK_STATE_CB), the loop calls process_fd() when
// one is ready and process_timeouts() when next_timeout_ms() elapses. No thread per query.
// c-ares 1.18 channels are not thread-safe: one AresDriver per worker thread.
//
// One channel per server, with server failover done here: c-ares 1.18 fails over on
// SERVFAIL/REFUSED by itself but then reports the query as ECONNREFUSED, losing the
// SERVFAIL. With ARES_FLAG_NOCHECKRESP each channel passes SERVFAIL through, and this
// driver moves to the next server on SERVFAIL, REFUSED or timeout, keeping the kind.
#pragma once

#include <ares.h>

#include <functional>
#include <memory>
#include <string>
#include <vector>

#include "resolve/dns_records.h"
#include "sipedge/expected.h"

namespace sipedge::resolve {

struct AresOptions {
  std::vector<std::string> servers;  // "HOST:PORT" ("[v6]:PORT"); empty: /etc/resolv.conf
  int timeout_ms = 1000;             // first-try timeout (c-ares backs off per retry)
  int tries = 2;                     // attempts per server
};

class AresDriver {
 public:
  struct SocketInterest {
    int fd;
    bool readable;
    bool writable;
  };
  // c-ares status, and the raw response when there is one (valid only during the call).
  using Callback = std::function<void(int status, const unsigned char* abuf, int alen)>;

  // Creates a channel with `options`; the error names the bad server or c-ares's reason.
  static Expected<std::unique_ptr<AresDriver>, std::string> create(const AresOptions& options);
  // Destroys the channel; pending callbacks run with ARES_EDESTRUCTION.
  ~AresDriver();
  AresDriver(const AresDriver&) = delete;
  AresDriver& operator=(const AresDriver&) = delete;

  // Sends one query (class IN, no search list) to the first server, then to the next on
  // SERVFAIL/REFUSED/timeout; `done` runs once, from process_*(), with the last server's
  // status (SERVFAIL wins over a later timeout: a server did answer).
  void query(const std::string& name, RrType type, Callback done);

  // The sockets c-ares wants watched, as last reported by its socket-state callback.
  const std::vector<SocketInterest>& sockets() const { return sockets_; }
  // Lets c-ares read/write a ready socket (pass -1 for a direction that is not ready).
  void process_fd(int read_fd, int write_fd);
  // Lets c-ares handle expired timeouts (retries, next server, ETIMEOUT).
  void process_timeouts();
  // Milliseconds until process_timeouts() is due, at most `max_ms`.
  int next_timeout_ms(int max_ms) const;
  // Queries sent whose callback has not run yet.
  size_t in_flight() const { return in_flight_; }

 private:
  AresDriver() = default;
  static void on_sock_state(void* data, ares_socket_t fd, int readable, int writable);
  static void on_answer(void* arg, int status, int timeouts, unsigned char* abuf, int alen);

  struct Attempt;
  void send(std::unique_ptr<Attempt> attempt);

  std::vector<ares_channel> channels_;  // one per server, tried in order
  bool destroying_ = false;             // queries asked from callbacks during ~AresDriver fail
  std::vector<SocketInterest> sockets_;
  size_t in_flight_ = 0;
};

}  // namespace sipedge::resolve
