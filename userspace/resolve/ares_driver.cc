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

struct AresDriver::Attempt {
  AresDriver* driver;
  std::string name;
  RrType type;
  std::vector<uint8_t> order;  // servers to try, healthy first
  size_t server = 0;           // position in `order`
  bool saw_server_failure = false;
  Callback done;
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
    rc = ares_set_servers_ports_csv(channel, server.c_str());
    if (rc != ARES_SUCCESS || server.find(',') != std::string::npos) {
      return unexpected("bad DNS server \"" + server + "\" (want HOST:PORT or [V6]:PORT)");
    }
  }
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
  ++in_flight_;
  auto attempt = std::make_unique<Attempt>();
  attempt->driver = this;
  attempt->name = name;
  attempt->type = type;
  attempt->done = std::move(done);
  order_servers(&attempt->order);
  send(std::move(attempt));
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
  down_[server] = server_silent(status);
}

void AresDriver::send(std::unique_ptr<Attempt> attempt) {
  Attempt* a = attempt.release();  // owned by c-ares until on_answer
  ares_query(channels_[a->order[a->server]], a->name.c_str(), kClassIn, static_cast<int>(a->type),
             &AresDriver::on_answer, a);
}

void AresDriver::on_answer(void* arg, int status, int /*timeouts*/, unsigned char* abuf, int alen) {
  std::unique_ptr<Attempt> attempt(static_cast<Attempt*>(arg));
  AresDriver* self = attempt->driver;
  const bool server_failure = status == ARES_ESERVFAIL || status == ARES_EREFUSED ||
                              status == ARES_ENOTIMP || status == ARES_EFORMERR;
  attempt->saw_server_failure |= server_failure;
  if (!self->destroying_) self->note_server(attempt->order[attempt->server], status);
  if (status != ARES_EDESTRUCTION && try_next_server(status) &&
      attempt->server + 1 < attempt->order.size()) {
    ++attempt->server;
    return self->send(std::move(attempt));
  }
  --self->in_flight_;
  if (attempt->saw_server_failure && !server_failure && abuf == nullptr &&
      status != ARES_EDESTRUCTION) {
    status = ARES_ESERVFAIL;  // an earlier server answered SERVFAIL; the later one was silent
  }
  attempt->done(status, abuf, alen);
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
