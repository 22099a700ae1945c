// c-ares channels whose sockets are driven by the caller's event loop: c-ares reports
// which sockets it wants watched (ARES_OPT_SOCK_STATE_CB), the loop calls process_fd() when
// one is ready and process_timeouts() when next_timeout_ms() elapses. No thread per query.
// c-ares 1.18 channels are not thread-safe: one AresDriver per worker thread.
//
// One channel per server, with server failover done here: c-ares 1.18 fails over on
// SERVFAIL/REFUSED by itself but then reports the query as ECONNREFUSED, losing the
// SERVFAIL. With ARES_FLAG_NOCHECKRESP each channel passes SERVFAIL through, and this
// driver moves to the next server on SERVFAIL, REFUSED or timeout, keeping the kind.
//
// Server health (per driver, so per worker, no sharing): a server that timed out goes
// behind the healthy ones, in configured order, until it answers again; so with
// `dead, good` only the first query after the outage waits for the dead server.
//
// Timers: schedule() runs a callback from process_timeouts() once its delay passed; the
// resolver uses them for its deadline and the cache for RFC 8767's client-response timer.
// They count in in_flight() and next_timeout_ms(), so a loop that drives queries drives
// them too.
#pragma once

#include <ares.h>

#include <cstdint>
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

// The longest a query waits for one server: c-ares's first timeout and its doublings
// (timeout, 2*timeout, ...), one per try.
int64_t ares_server_budget_ms(const AresOptions& options);

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

  // Sends one query (class IN, no search list) to the first healthy server, then to the
  // next on SERVFAIL/REFUSED/timeout (servers marked down last); `done` runs once, from
  // process_*(), with the last server's status (SERVFAIL wins over a later timeout: a server did
  // answer).
  void query(const std::string& name, RrType type, Callback done);

  // The sockets c-ares wants watched, as last reported by its socket-state callback.
  const std::vector<SocketInterest>& sockets() const { return sockets_; }
  // Lets c-ares read/write a ready socket (pass -1 for a direction that is not ready).
  void process_fd(int read_fd, int write_fd);
  // Lets c-ares handle expired timeouts (retries, next server, ETIMEOUT).
  void process_timeouts();
  // Milliseconds until process_timeouts() is due, at most `max_ms`.
  int next_timeout_ms(int max_ms) const;
  // Queries sent whose callback has not run yet, plus timers not yet run.
  size_t in_flight() const { return in_flight_ + timers_.size(); }

  using TimerId = uint64_t;
  // Runs `fn` from process_timeouts() once `delay_ms` has passed (monotonic clock);
  // returns an id for cancel(), never 0.
  TimerId schedule(int64_t delay_ms, std::function<void()> fn);
  // Drops a timer that has not run; no effect otherwise.
  void cancel(TimerId id);

  // Index of the server each query starts with (configured order, timed-out ones last).
  size_t first_server() const;
  // True while server `i` (configured order) is considered down.
  bool server_down(size_t i) const { return i < down_.size() && down_[i]; }
  size_t server_count() const { return channels_.size(); }

 private:
  AresDriver() = default;
  static void on_sock_state(void* data, ares_socket_t fd, int readable, int writable);
  static void on_answer(void* arg, int status, int timeouts, unsigned char* abuf, int alen);

  struct Attempt;
  void send(std::unique_ptr<Attempt> attempt);

  struct Timer {
    int64_t due_ms;
    TimerId id;
    std::function<void()> fn;
  };
  void run_due_timers();
  // The server order for a new query: healthy ones first, each group in configured order.
  void order_servers(std::vector<uint8_t>* order) const;
  void note_server(size_t server, int status);

  std::vector<ares_channel> channels_;  // one per server, configured order
  std::vector<bool> down_;              // per server: its last query timed out
  std::vector<Timer> timers_;           // few (one per resolution at most): a flat list
  TimerId next_timer_id_ = 1;
  bool destroying_ = false;  // queries asked from callbacks during ~AresDriver fail
  std::vector<SocketInterest> sockets_;
  size_t in_flight_ = 0;
};

}  // namespace sipedge::resolve
