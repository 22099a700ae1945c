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
// Server health (per driver, so per worker, no sharing): a server that timed out, or that
// a later-asked server beat to an answer, goes behind the healthy ones, in configured
// order, until it answers again; so with `dead, good` only the first query after the
// outage waits for the dead server, and only for the next-server delay (below). A server
// that is down is probed in the background (a root NS query every probe_interval_ms), so
// it comes back without a user's query having to wait for it.
//
// Next-server delay (parallel fallback): a query that has had no answer from its server
// after next_server_after_ms is also sent to the next server, without cancelling the
// first; the first answer wins. So a silent first server costs that delay (default: the
// first-try timeout, capped by RFC 8767's 1.8 s client-response timer), not the server's
// whole timeout budget (timeout, 2 x timeout, ... per try).
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
  // Ask the next server too when this one has not answered after this long; -1: the
  // first-try timeout capped by the RFC 8767 client-response timer (1.8 s); 0: ask every
  // server at once.
  int next_server_after_ms = -1;
  // How often a server that is down is probed (root NS query) until it answers; 0: never
  // (it is then asked again only when the healthy ones fail).
  int probe_interval_ms = 5000;
};

// The next-server delay `options` gives (see AresOptions::next_server_after_ms).
int64_t ares_next_server_delay_ms(const AresOptions& options);

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
  // next on SERVFAIL/REFUSED/timeout or after the next-server delay (servers marked down
  // last); `done` runs once, from process_*(), with the first answer, or when every server
  // failed with the last status (SERVFAIL wins over a later timeout: a server did answer).
  void query(const std::string& name, RrType type, Callback done);

  // The sockets c-ares wants watched, as last reported by its socket-state callback.
  const std::vector<SocketInterest>& sockets() const { return sockets_; }
  // Lets c-ares read/write a ready socket (pass -1 for a direction that is not ready).
  void process_fd(int read_fd, int write_fd);
  // Lets c-ares handle expired timeouts (retries, next server, ETIMEOUT).
  void process_timeouts();
  // Milliseconds until process_timeouts() is due, at most `max_ms`.
  int next_timeout_ms(int max_ms) const;
  // Queries sent (to any server, probes included) whose answer has not come yet, plus
  // timers not yet run.
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
  // Probe queries sent to servers that were down, and how many of them were answered.
  uint64_t probes_sent() const { return probes_sent_; }
  uint64_t probes_answered() const { return probes_answered_; }

 private:
  AresDriver() = default;
  static void on_sock_state(void* data, ares_socket_t fd, int readable, int writable);
  static void on_answer(void* arg, int status, int timeouts, unsigned char* abuf, int alen);

  struct Query;
  struct Send;
  // Sends `q` to its next server and arms the next-server delay.
  void send_next(const std::shared_ptr<Query>& q);
  void finish(Query& q, int status, const unsigned char* abuf, int alen);
  void mark_down(size_t server);
  void schedule_probe(size_t server);
  void send_probe(size_t server);

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
  std::vector<bool> probe_armed_;       // per server: a probe timer or query is pending
  int64_t next_server_after_ms_ = 1000;
  int probe_interval_ms_ = 5000;
  uint64_t probes_sent_ = 0;
  uint64_t probes_answered_ = 0;
  std::vector<Timer> timers_;  // few (one per resolution at most): a flat list
  TimerId next_timer_id_ = 1;
  bool destroying_ = false;  // queries asked from callbacks during ~AresDriver fail
  std::vector<SocketInterest> sockets_;
  size_t in_flight_ = 0;
};

}  // namespace sipedge::resolve
