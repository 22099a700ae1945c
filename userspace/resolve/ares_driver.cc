#include "resolve/ares_driver.h"

#include <sys/time.h>

#include <algorithm>
#include <cstring>
#include <mutex>

#include "sipedge/monotonic_clock.h"

namespace sipedge::resolve {

namespace {

constexpr int kClassIn = 1;
constexpr int kEdnsPayload = 1232;  // DNS flag day 2020: avoids IP fragmentation

bool try_next_server(int status) {
  return status == ARES_ESERVFAIL || status == ARES_EREFUSED || status == ARES_ENOTIMP ||
         status == ARES_ETIMEOUT || status == ARES_ECONNREFUSED || status == ARES_EBADRESP ||
         status == ARES_EFORMERR;
}

// "127.0.0.1:53" / "[::1]:53" for one configured server.
std::string server_text(const ares_addr_port_node& n) {
  char buf[64] = {};
  ares_inet_ntop(n.family, &n.addr, buf, sizeof buf);
  const int port = n.udp_port ? n.udp_port : 53;
  return n.family == AF_INET6 ? "[" + std::string(buf) + "]:" + std::to_string(port)
                              : std::string(buf) + ":" + std::to_string(port);
}

// No response from the server at all (as opposed to an answer, even SERVFAIL).
bool server_silent(int status) { return status == ARES_ETIMEOUT || status == ARES_ECONNREFUSED; }

}  // namespace

int64_t ares_server_budget_ms(const AresOptions& options) {
  int64_t total = 0;
  int64_t t = std::max(options.timeout_ms, 1);
  for (int i = 0; i < std::max(options.tries, 1); ++i, t *= 2) total += t;
  return total;
}

int64_t ares_next_server_delay_ms(const AresOptions& options) {
  // RFC 8767 §5: an answer (even a stale one) is due after 1.8 s; waiting longer than that
  // for one server would spend the whole client-response budget on it.
  constexpr int64_t kClientResponseMs = 1800;
  if (options.next_server_after_ms >= 0) return options.next_server_after_ms;
  return std::min<int64_t>(std::max(options.timeout_ms, 1), kClientResponseMs);
}

// One query across servers.
struct AresDriver::Query {
  std::string name;
  RrType type;
  std::vector<uint8_t> order;  // servers to try, healthy first
  std::vector<bool> waiting;   // per position in `order`: sent, no answer yet
  size_t next = 0;             // next position in `order` to send to
  size_t outstanding = 0;      // sends without an answer yet
  bool finished = false;
  bool saw_server_failure = false;
  TimerId next_server_timer = 0;
  Callback done;
};

// One datagram's worth of a query (or a probe, q == nullptr), owned by c-ares until
// on_answer.
struct AresDriver::Send {
  AresDriver* driver;
  std::shared_ptr<Query> q;
  size_t position;  // in q->order; the server itself for a probe
};

Expected<std::unique_ptr<AresDriver>, std::string> AresDriver::create(const AresOptions& options) {
  static std::once_flag init_once;
  static int init_status = ARES_SUCCESS;
  std::call_once(init_once, [] { init_status = ares_library_init(ARES_LIB_INIT_ALL); });
  if (init_status != ARES_SUCCESS) {
    return unexpected(std::string("c-ares init: ") + ares_strerror(init_status));
  }
  std::unique_ptr<AresDriver> driver(new AresDriver);
  ares_options opts;
  std::memset(&opts, 0, sizeof opts);
  const int mask = ARES_OPT_FLAGS | ARES_OPT_TIMEOUTMS | ARES_OPT_TRIES | ARES_OPT_SOCK_STATE_CB |
                   ARES_OPT_LOOKUPS | ARES_OPT_EDNSPSZ;
  opts.flags = ARES_FLAG_NOSEARCH | ARES_FLAG_EDNS | ARES_FLAG_NOCHECKRESP;
  opts.timeout = std::max(options.timeout_ms, 1);
  opts.tries = std::max(options.tries, 1);
  opts.sock_state_cb = &AresDriver::on_sock_state;
  opts.sock_state_cb_data = driver.get();
  char lookups[] = "b";  // DNS only, never /etc/hosts
  opts.lookups = lookups;
  opts.ednspsz = kEdnsPayload;

  std::vector<std::string> servers = options.servers;
  if (servers.empty()) {
    // The system's servers (/etc/resolv.conf), each given its own channel below.
    ares_channel probe = nullptr;
    int rc = ares_init_options(&probe, &opts, mask);
    if (rc != ARES_SUCCESS) return unexpected(std::string("c-ares: ") + ares_strerror(rc));
    ares_addr_port_node* list = nullptr;
    if (ares_get_servers_ports(probe, &list) == ARES_SUCCESS) {
      for (auto* n = list; n != nullptr; n = n->next) servers.push_back(server_text(*n));
      ares_free_data(list);
    }
    ares_destroy(probe);
    if (servers.empty()) return unexpected(std::string("no DNS server configured"));
  }
  for (const std::string& server : servers) {
    ares_channel channel = nullptr;
    int rc = ares_init_options(&channel, &opts, mask);
    if (rc != ARES_SUCCESS) return unexpected(std::string("c-ares: ") + ares_strerror(rc));
    driver->channels_.push_back(channel);
    driver->down_.push_back(false);
    driver->probe_armed_.push_back(false);
    rc = ares_set_servers_ports_csv(channel, server.c_str());
    if (rc != ARES_SUCCESS || server.find(',') != std::string::npos) {
      return unexpected("bad DNS server \"" + server + "\" (want HOST:PORT or [V6]:PORT)");
    }
  }
  driver->next_server_after_ms_ = ares_next_server_delay_ms(options);
  driver->probe_interval_ms_ = std::max(options.probe_interval_ms, 0);
  return driver;
}

AresDriver::~AresDriver() {
  // ares_destroy runs every pending callback (ARES_EDESTRUCTION); a resolution reacting to
  // that must not start new queries on a dying channel.
  destroying_ = true;
  for (ares_channel c : channels_) ares_destroy(c);
}

void AresDriver::query(const std::string& name, RrType type, Callback done) {
  if (destroying_) {
    done(ARES_EDESTRUCTION, nullptr, 0);
    return;
  }
  auto q = std::make_shared<Query>();
  q->name = name;
  q->type = type;
  q->done = std::move(done);
  order_servers(&q->order);
  q->waiting.assign(q->order.size(), false);
  send_next(q);
}

void AresDriver::send_next(const std::shared_ptr<Query>& q) {
  if (q->next_server_timer != 0) {
    cancel(q->next_server_timer);
    q->next_server_timer = 0;
  }
  const size_t pos = q->next++;
  q->waiting[pos] = true;
  ++q->outstanding;
  ++in_flight_;
  // c-ares may answer before returning (a name it refuses): `q` may be finished below.
  ares_query(channels_[q->order[pos]], q->name.c_str(), kClassIn, static_cast<int>(q->type),
             &AresDriver::on_answer, new Send{this, q, pos});
  if (q->finished || q->next >= q->order.size() || destroying_) return;
  std::weak_ptr<Query> weak = q;
  q->next_server_timer = schedule(next_server_after_ms_, [this, weak] {
    auto self = weak.lock();
    if (!self || self->finished) return;
    self->next_server_timer = 0;
    if (self->next < self->order.size()) send_next(self);
  });
}

void AresDriver::finish(Query& q, int status, const unsigned char* abuf, int alen) {
  q.finished = true;
  if (q.next_server_timer != 0) {
    cancel(q.next_server_timer);
    q.next_server_timer = 0;
  }
  if (abuf != nullptr && !destroying_) {
    // A later-asked server answered first: the ones still silent go behind it (their own
    // answer, if it comes, brings them back).
    for (size_t pos = 0; pos < q.order.size(); ++pos) {
      if (q.waiting[pos]) mark_down(q.order[pos]);
    }
  }
  q.done(status, abuf, alen);
}

void AresDriver::order_servers(std::vector<uint8_t>* order) const {
  order->clear();
  for (int pass = 0; pass < 2; ++pass) {
    for (size_t i = 0; i < channels_.size() && i < 256; ++i) {
      if (down_[i] == (pass == 1)) order->push_back(static_cast<uint8_t>(i));
    }
  }
}

size_t AresDriver::first_server() const {
  for (size_t i = 0; i < channels_.size(); ++i) {
    if (!down_[i]) return i;
  }
  return 0;
}

void AresDriver::note_server(size_t server, int status) {
  if (status == ARES_EDESTRUCTION || status == ARES_ECANCELLED || status == ARES_EBADNAME ||
      status == ARES_ENOMEM) {
    return;  // says nothing about the server
  }
  if (server_silent(status)) {
    mark_down(server);
  } else {
    down_[server] = false;
  }
}

void AresDriver::mark_down(size_t server) {
  down_[server] = true;
  schedule_probe(server);
}

void AresDriver::schedule_probe(size_t server) {
  if (probe_interval_ms_ <= 0 || probe_armed_[server] || destroying_) return;
  probe_armed_[server] = true;
  schedule(probe_interval_ms_, [this, server] {
    if (!down_[server]) {
      probe_armed_[server] = false;  // a query brought it back meanwhile
      return;
    }
    send_probe(server);
  });
}

void AresDriver::send_probe(size_t server) {
  // The root's NS set: every recursive server answers it, an authoritative one refuses it;
  // either is an answer, which is all a probe asks.
  constexpr int kTypeNs = 2;
  ++probes_sent_;
  ++in_flight_;
  ares_query(channels_[server], ".", kClassIn, kTypeNs, &AresDriver::on_answer,
             new Send{this, nullptr, server});
}

void AresDriver::on_answer(void* arg, int status, int /*timeouts*/, unsigned char* abuf, int alen) {
  std::unique_ptr<Send> send(static_cast<Send*>(arg));
  AresDriver* self = send->driver;
  --self->in_flight_;
  if (send->q == nullptr) {
    // A probe: an answer brings the server back; silence leaves it down, probed again.
    const size_t server = send->position;
    self->probe_armed_[server] = false;
    if (self->destroying_) return;
    if (!server_silent(status)) ++self->probes_answered_;
    self->note_server(server, status);
    if (self->down_[server]) self->schedule_probe(server);
    return;
  }
  Query& q = *send->q;
  const size_t server = q.order[send->position];
  q.waiting[send->position] = false;
  --q.outstanding;
  if (!self->destroying_) self->note_server(server, status);
  if (q.finished) return;  // a faster server answered already
  const bool server_failure = status == ARES_ESERVFAIL || status == ARES_EREFUSED ||
                              status == ARES_ENOTIMP || status == ARES_EFORMERR;
  q.saw_server_failure |= server_failure;
  if (status != ARES_EDESTRUCTION && try_next_server(status)) {
    if (q.next < q.order.size() && !self->destroying_) return self->send_next(send->q);
    if (q.outstanding > 0) return;  // a server asked after this one may still answer
    if (q.saw_server_failure && !server_failure && abuf == nullptr) {
      status = ARES_ESERVFAIL;  // an earlier server answered SERVFAIL; the later one was silent
    }
  }
  self->finish(q, status, abuf, alen);
}

void AresDriver::on_sock_state(void* data, ares_socket_t fd, int readable, int writable) {
  auto* self = static_cast<AresDriver*>(data);
  auto it = std::find_if(self->sockets_.begin(), self->sockets_.end(),
                         [fd](const SocketInterest& s) { return s.fd == fd; });
  if (!readable && !writable) {
    if (it != self->sockets_.end()) self->sockets_.erase(it);
    return;
  }
  if (it == self->sockets_.end()) {
    self->sockets_.push_back(SocketInterest{fd, readable != 0, writable != 0});
  } else {
    it->readable = readable != 0;
    it->writable = writable != 0;
  }
}

void AresDriver::process_fd(int read_fd, int write_fd) {
  // A socket belongs to exactly one channel; the others ignore an fd they do not own.
  for (ares_channel c : channels_) {
    ares_process_fd(c, read_fd < 0 ? ARES_SOCKET_BAD : read_fd,
                    write_fd < 0 ? ARES_SOCKET_BAD : write_fd);
  }
}

void AresDriver::process_timeouts() {
  for (ares_channel c : channels_) ares_process_fd(c, ARES_SOCKET_BAD, ARES_SOCKET_BAD);
  run_due_timers();
}

AresDriver::TimerId AresDriver::schedule(int64_t delay_ms, std::function<void()> fn) {
  const TimerId id = next_timer_id_++;
  timers_.push_back(Timer{monotonic_ms() + std::max<int64_t>(delay_ms, 0), id, std::move(fn)});
  return id;
}

void AresDriver::cancel(TimerId id) {
  auto it =
      std::find_if(timers_.begin(), timers_.end(), [id](const Timer& t) { return t.id == id; });
  if (it != timers_.end()) timers_.erase(it);
}

void AresDriver::run_due_timers() {
  const int64_t now = monotonic_ms();
  // A callback may schedule or cancel timers: take one due timer at a time.
  for (;;) {
    auto it = std::find_if(timers_.begin(), timers_.end(),
                           [now](const Timer& t) { return t.due_ms <= now; });
    if (it == timers_.end()) return;
    std::function<void()> fn = std::move(it->fn);
    timers_.erase(it);
    fn();
  }
}

int AresDriver::next_timeout_ms(int max_ms) const {
  int best = max_ms;
  if (!timers_.empty()) {
    const int64_t now = monotonic_ms();
    for (const Timer& t : timers_) {
      best = static_cast<int>(std::clamp<int64_t>(t.due_ms - now, 0, best));
    }
  }
  for (ares_channel c : channels_) {
    timeval max_tv{max_ms / 1000, (max_ms % 1000) * 1000};
    timeval tv{};
    const timeval* t = ares_timeout(c, &max_tv, &tv);
    if (t == nullptr) continue;
    // Round up so the loop never spins on a sub-millisecond remainder.
    best = std::min(best, static_cast<int>(t->tv_sec * 1000 + (t->tv_usec + 999) / 1000));
  }
  return best;
}

}  // namespace sipedge::resolve
