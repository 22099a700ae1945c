#include "tls_client.h"

#include <netinet/in.h>
#include <netinet/tcp.h>
#include <openssl/err.h>
#include <sys/epoll.h>
#include <sys/socket.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <string_view>

#include "clock.h"

namespace sipedge::bench {
namespace {

constexpr uint64_t kGiveUpNs = 2'000'000'000;  // an unanswered window is lost after this
constexpr int kMaxEvents = 256;

std::string openssl_error() {
  unsigned long e = ERR_get_error();
  if (e == 0) return errno != 0 ? std::strerror(errno) : "unknown";
  char text[256];
  ERR_error_string_n(e, text, sizeof(text));
  return text;
}

uint64_t seconds_ns(double s) { return static_cast<uint64_t>(s * 1e9); }

}  // namespace

struct TlsClient::Connection {
  size_t slot = 0;
  int fd = -1;
  SSL* ssl = nullptr;
  bool open = false;  // handshake completed
  uint32_t events = 0;
  std::unique_ptr<RequestTemplate> request;
  std::string via;  // "ADDR:PORT" of our end, for the Via
  std::string in;   // plaintext read, not yet cut into messages
  std::string out;  // plaintext SSL_write has not taken yet
  size_t outstanding = 0;
  uint64_t progress_ns = 0;  // last answer (or window start)
};

TlsClient::~TlsClient() {
  close_all();
  if (saved_session_) SSL_SESSION_free(saved_session_);
  if (ctx_) SSL_CTX_free(ctx_);
  if (epoll_ >= 0) close(epoll_);
}

Expected<std::unique_ptr<TlsClient>, std::string> TlsClient::create(const ClientConfig& config) {
  std::unique_ptr<TlsClient> client(new TlsClient());
  client->config_ = config;
  client->ctx_ = SSL_CTX_new(TLS_client_method());
  client->epoll_ = epoll_create1(EPOLL_CLOEXEC);
  if (!client->ctx_ || client->epoll_ < 0) return unexpected("tls client: " + openssl_error());
  SSL_CTX* ctx = client->ctx_;
  SSL_CTX_set_min_proto_version(ctx, TLS1_2_VERSION);
  if (!config.ca.empty()) {
    if (SSL_CTX_load_verify_locations(ctx, config.ca.c_str(), nullptr) != 1)
      return unexpected("tls client: cannot load " + config.ca + ": " + openssl_error());
    SSL_CTX_set_verify(ctx, SSL_VERIFY_PEER, nullptr);
  } else {
    // The generator is not under test: skip the chain check (the CertificateVerify
    // signature is still checked) so its core saturates later.
    SSL_CTX_set_verify(ctx, SSL_VERIFY_NONE, nullptr);
  }
  SSL_CTX_set_mode(ctx, SSL_MODE_ENABLE_PARTIAL_WRITE | SSL_MODE_ACCEPT_MOVING_WRITE_BUFFER);
  // Sessions go only to on_new_session (resumption mode offers the newest one).
  SSL_CTX_set_session_cache_mode(ctx, SSL_SESS_CACHE_CLIENT | SSL_SESS_CACHE_NO_INTERNAL_STORE);
  SSL_CTX_sess_set_new_cb(ctx, &TlsClient::on_new_session);
  SSL_CTX_set_app_data(ctx, client.get());
  return client;
}

int TlsClient::on_new_session(SSL* ssl, SSL_SESSION* session) {
  auto* self = static_cast<TlsClient*>(SSL_CTX_get_app_data(SSL_get_SSL_CTX(ssl)));
  if (self->saved_session_) SSL_SESSION_free(self->saved_session_);
  self->saved_session_ = session;
  return 1;  // we keep the reference
}

size_t TlsClient::open_count() const {
  size_t n = 0;
  for (const auto& c : connections_)
    if (c && c->open) ++n;
  return n;
}

TlsClient::Connection* TlsClient::start_connection(LoadCounts* counts, SSL_SESSION* offer) {
  sockaddr_storage addr;
  socklen_t len = net::endpoint_to_sockaddr(config_.target, &addr);
  int fd = socket(config_.target.address.family == 4 ? AF_INET : AF_INET6,
                  SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
  if (fd < 0) {
    ++counts->handshake_failures;
    if (counts->first_error.empty())
      counts->first_error = std::string("socket: ") + strerror(errno);
    return nullptr;
  }
  int one = 1;
  setsockopt(fd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof(one));
  if (connect(fd, reinterpret_cast<sockaddr*>(&addr), len) != 0 && errno != EINPROGRESS) {
    ++counts->handshake_failures;
    if (counts->first_error.empty())
      counts->first_error = std::string("connect: ") + strerror(errno);
    close(fd);
    return nullptr;
  }
  size_t slot;
  if (!free_slots_.empty()) {
    slot = free_slots_.back();
    free_slots_.pop_back();
  } else {
    slot = connections_.size();
    connections_.emplace_back();
  }
  auto c = std::make_unique<Connection>();
  c->slot = slot;
  c->fd = fd;
  c->ssl = SSL_new(ctx_);
  SSL_set_fd(c->ssl, fd);
  SSL_set_connect_state(c->ssl);
  if (!config_.server_name.empty()) {
    SSL_set_tlsext_host_name(c->ssl, config_.server_name.c_str());
    if (!config_.ca.empty()) SSL_set1_host(c->ssl, config_.server_name.c_str());
  }
  if (offer) {
    // OpenSSL marks a TLS 1.3 session not resumable once a handshake has used it (tickets
    // are single-use on the client side); every connection offers its own copy.
    SSL_SESSION* copy = SSL_SESSION_dup(offer);
    SSL_set_session(c->ssl, copy);
    SSL_SESSION_free(copy);
  }
  epoll_event ev{};
  ev.events = EPOLLIN | EPOLLOUT;
  ev.data.u64 = slot;
  epoll_ctl(epoll_, EPOLL_CTL_ADD, fd, &ev);
  c->events = ev.events;
  Connection* raw = c.get();
  connections_[slot] = std::move(c);
  ++handshaking_;
  return raw;
}

void TlsClient::set_events(Connection* c, uint32_t events) {
  if (c->events == events) return;
  epoll_event ev{};
  ev.events = events;
  ev.data.u64 = c->slot;
  epoll_ctl(epoll_, EPOLL_CTL_MOD, c->fd, &ev);
  c->events = events;
}

void TlsClient::release(Connection* c, bool graceful) {
  if (!c->open) --handshaking_;
  epoll_ctl(epoll_, EPOLL_CTL_DEL, c->fd, nullptr);
  if (c->open && graceful) SSL_shutdown(c->ssl);  // close_notify, best effort
  SSL_free(c->ssl);
  close(c->fd);
  size_t slot = c->slot;
  connections_[slot].reset();
  free_slots_.push_back(slot);
}

void TlsClient::fail(Connection* c, const std::string& why, LoadCounts* counts) {
  if (counts->first_error.empty()) counts->first_error = why;
  counts->lost += c->outstanding;
  release(c, false);
}

void TlsClient::advance_handshake(Connection* c, LoadCounts* counts) {
  ERR_clear_error();
  errno = 0;
  int rc = SSL_connect(c->ssl);
  if (rc == 1) {
    --handshaking_;
    c->open = true;
    ++counts->handshakes;
    if (SSL_session_reused(c->ssl)) ++counts->resumed;
    if (negotiated_.empty()) {
      const char* group = SSL_group_to_name(c->ssl, SSL_get_negotiated_group(c->ssl));
      negotiated_ = std::string(SSL_get_version(c->ssl)) + " " + SSL_get_cipher_name(c->ssl) + " " +
                    (group ? group : "?");
    }
    if (churn_) {
      release(c, true);
      return;
    }
    sockaddr_storage local;
    socklen_t len = sizeof(local);
    net::Endpoint me;
    if (getsockname(c->fd, reinterpret_cast<sockaddr*>(&local), &len) == 0 &&
        net::endpoint_from_sockaddr(reinterpret_cast<sockaddr*>(&local), &me)) {
      c->via = me.to_string();
    }
    c->progress_ns = monotonic_ns();
    set_events(c, EPOLLIN);
    return;
  }
  int err = SSL_get_error(c->ssl, rc);
  if (err == SSL_ERROR_WANT_READ) {
    set_events(c, EPOLLIN);
  } else if (err == SSL_ERROR_WANT_WRITE) {
    set_events(c, EPOLLIN | EPOLLOUT);
  } else {
    ++counts->handshake_failures;
    fail(c, "handshake: " + openssl_error(), counts);
  }
}

void TlsClient::read_responses(Connection* c, LoadCounts* counts) {
  for (;;) {
    ERR_clear_error();
    errno = 0;
    int n = SSL_read(c->ssl, scratch_.data(), static_cast<int>(scratch_.size()));
    if (n > 0) {
      c->in.append(scratch_.data(), static_cast<size_t>(n));
      continue;
    }
    int err = SSL_get_error(c->ssl, n);
    if (err == SSL_ERROR_WANT_READ) break;
    if (err == SSL_ERROR_WANT_WRITE) {
      set_events(c, EPOLLIN | EPOLLOUT);
      break;
    }
    ++counts->closed;
    fail(c, err == SSL_ERROR_ZERO_RETURN ? "closed by the server" : "read: " + openssl_error(),
         counts);
    return;
  }
  // Cut complete messages (Content-Length framing) off the front.
  std::string_view data(c->in);
  size_t at = 0;
  const uint64_t now = monotonic_ns();
  for (;;) {
    std::string_view rest = data.substr(at);
    size_t end = rest.find("\r\n\r\n");
    if (end == std::string_view::npos) break;
    long body = content_length(rest.substr(0, end + 2));
    size_t total = end + 4 + static_cast<size_t>(body < 0 ? 0 : body);
    if (total > rest.size()) break;
    std::string_view message = rest.substr(0, total);
    at += total;
    if (!message.starts_with("SIP/2.0 ")) continue;  // a request from the server: not ours
    if (message.starts_with("SIP/2.0 200 ")) {
      ++counts->ok;
      uint64_t seq = 0, sent = 0;
      if (recording_ && read_call_id_stamp(message, &seq, &sent))
        counts->latency.record(now > sent ? now - sent : 0);
    } else {
      ++counts->other;
      if (counts->first_other.empty())
        counts->first_other = std::string(message.substr(0, message.find("\r\n")));
    }
    if (c->outstanding > 0) --c->outstanding;
    c->progress_ns = now;
  }
  c->in.erase(0, at);
  if (window_ > c->outstanding) send_requests(c, window_ - c->outstanding, counts);
}

void TlsClient::send_requests(Connection* c, size_t n, LoadCounts* counts) {
  if (!c->request) {
    c->request =
        std::make_unique<RequestTemplate>("TLS", c->via, config_.request_uri, config_.request_size);
  }
  const size_t size = c->request->size();
  size_t at = c->out.size();
  c->out.resize(at + n * size);
  const uint64_t now = monotonic_ns();
  for (size_t i = 0; i < n; ++i) {
    char* p = c->out.data() + at + i * size;
    c->request->copy_to(p);
    c->request->patch(p, seq_++, now);
  }
  if (c->outstanding == 0) c->progress_ns = now;
  c->outstanding += n;
  counts->sent += n;
  flush(c, counts);
}

void TlsClient::flush(Connection* c, LoadCounts* counts) {
  while (!c->out.empty()) {
    ERR_clear_error();
    errno = 0;
    int n = SSL_write(c->ssl, c->out.data(), static_cast<int>(c->out.size()));
    if (n > 0) {
      c->out.erase(0, static_cast<size_t>(n));
      continue;
    }
    int err = SSL_get_error(c->ssl, n);
    if (err == SSL_ERROR_WANT_WRITE) {
      set_events(c, EPOLLIN | EPOLLOUT);
      return;
    }
    if (err == SSL_ERROR_WANT_READ) return;
    ++counts->closed;
    fail(c, "write: " + openssl_error(), counts);
    return;
  }
  set_events(c, EPOLLIN);
}

void TlsClient::on_event(Connection* c, uint32_t events, LoadCounts* counts) {
  if (!c->open) {
    advance_handshake(c, counts);
    return;
  }
  if (events & EPOLLOUT) {
    flush(c, counts);
    if (!connections_[c->slot]) return;  // the write failed and released it
  }
  if (events & (EPOLLIN | EPOLLERR | EPOLLHUP)) read_responses(c, counts);
}

void TlsClient::poll(int timeout_ms, LoadCounts* counts) {
  epoll_event events[kMaxEvents];
  int n = epoll_wait(epoll_, events, kMaxEvents, timeout_ms);
  for (int i = 0; i < n; ++i) {
    size_t slot = static_cast<size_t>(events[i].data.u64);
    // A connection released earlier in this batch leaves its slot empty until the batch ends.
    if (slot < connections_.size() && connections_[slot])
      on_event(connections_[slot].get(), events[i].events, counts);
  }
}

void TlsClient::top_up(LoadCounts* counts) {
  for (auto& c : connections_) {
    if (c && c->open && window_ > c->outstanding)
      send_requests(c.get(), window_ - c->outstanding, counts);
  }
}

void TlsClient::give_up_stale(LoadCounts* counts) {
  const uint64_t now = monotonic_ns();
  bool any = false;
  for (auto& c : connections_) {
    if (c && c->open && c->outstanding > 0 && now - c->progress_ns > kGiveUpNs) {
      counts->lost += c->outstanding;
      c->outstanding = 0;
      c->progress_ns = now;
      any = true;
    }
  }
  if (any && window_ > 0) top_up(counts);
}

size_t TlsClient::open(size_t n, size_t concurrency, double timeout_s, LoadCounts* counts) {
  churn_ = false;
  window_ = 0;
  const uint64_t deadline = monotonic_ns() + seconds_ns(timeout_s);
  size_t started = 0;
  while (monotonic_ns() < deadline) {
    while (started < n && handshaking_ < concurrency) {
      ++started;
      if (!start_connection(counts, nullptr)) break;
    }
    if (started >= n && handshaking_ == 0) break;
    poll(10, counts);
  }
  return open_count();
}

void TlsClient::transact_once(double timeout_s, LoadCounts* counts) {
  window_ = 0;
  for (auto& c : connections_)
    if (c && c->open) send_requests(c.get(), 1, counts);
  const uint64_t deadline = monotonic_ns() + seconds_ns(timeout_s);
  while (monotonic_ns() < deadline) {
    bool waiting = false;
    for (auto& c : connections_) waiting = waiting || (c && c->open && c->outstanding > 0);
    if (!waiting) return;
    poll(10, counts);
  }
  for (auto& c : connections_) {
    if (c && c->open) {
      counts->lost += c->outstanding;
      c->outstanding = 0;
    }
  }
}

void TlsClient::run_messages(size_t window, double warmup_s, double seconds,
                             const std::function<void()>& on_start,
                             const std::function<void()>& on_end, LoadCounts* measured) {
  churn_ = false;
  window_ = window;
  LoadCounts warm;
  top_up(&warm);
  uint64_t until = monotonic_ns() + seconds_ns(warmup_s);
  while (monotonic_ns() < until) {
    poll(10, &warm);
    give_up_stale(&warm);
  }
  on_start();
  recording_ = true;
  until = monotonic_ns() + seconds_ns(seconds);
  while (monotonic_ns() < until) {
    poll(10, measured);
    give_up_stale(measured);
  }
  on_end();
  recording_ = false;
  window_ = 0;
  // Let the outstanding requests finish so the connections are clean for the next phase.
  LoadCounts tail;
  until = monotonic_ns() + seconds_ns(2);
  while (monotonic_ns() < until) {
    bool waiting = false;
    for (auto& c : connections_) waiting = waiting || (c && c->open && c->outstanding > 0);
    if (!waiting) break;
    poll(10, &tail);
  }
  if (measured->first_error.empty()) measured->first_error = warm.first_error;
  if (measured->first_other.empty()) measured->first_other = warm.first_other;
  measured->closed += warm.closed;
}

void TlsClient::run_handshakes(size_t concurrency, bool resume, double warmup_s, double seconds,
                               const std::function<void()>& on_start,
                               const std::function<void()>& on_end, LoadCounts* measured) {
  LoadCounts warm;
  SSL_SESSION* offer = nullptr;
  if (resume) {
    // A first full handshake; TLS 1.3 tickets arrive after it, so read until one came.
    open(1, 1, 5, &warm);
    const uint64_t until = monotonic_ns() + seconds_ns(1);
    while (!saved_session_ && monotonic_ns() < until) poll(10, &warm);
    close_all();
    if (saved_session_) {
      offer = saved_session_;
      SSL_SESSION_up_ref(offer);
    }
  }
  churn_ = true;
  window_ = 0;
  auto fill = [&](LoadCounts* counts) {
    while (handshaking_ < concurrency)
      if (!start_connection(counts, offer)) break;
  };
  uint64_t until = monotonic_ns() + seconds_ns(warmup_s);
  while (monotonic_ns() < until) {
    fill(&warm);
    poll(5, &warm);
  }
  on_start();
  until = monotonic_ns() + seconds_ns(seconds);
  while (monotonic_ns() < until) {
    fill(measured);
    poll(5, measured);
  }
  on_end();
  close_all();
  churn_ = false;
  if (offer) SSL_SESSION_free(offer);
  if (measured->first_error.empty()) measured->first_error = warm.first_error;
}

void TlsClient::close_all() {
  for (auto& c : connections_)
    if (c) release(c.get(), true);
  connections_.clear();
  free_slots_.clear();
  handshaking_ = 0;
}

}  // namespace sipedge::bench
