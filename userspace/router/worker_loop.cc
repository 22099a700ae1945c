// The worker's event loop: ring setup, completion dispatch, c-ares sockets on the ring,
// timers, configuration pick-up, QSBR quiescent states, drain on stop.
#include <poll.h>
#include <sys/eventfd.h>
#include <unistd.h>

#include <algorithm>
#include <cstring>
#include <functional>

#include "net/sockets.h"
#include "sipedge/monotonic_clock.h"
#include "resolve/rcu_thread.h"
#include "router/worker.h"

namespace sipedge::router {
namespace {

using net::OpKind;

constexpr unsigned kRingEntries = 1024;
constexpr uint32_t kUdpBufferCount = 256;
constexpr uint16_t kUdpBufferGroup = 1;
constexpr size_t kTargetCacheEntries = 8192;
constexpr int kTickMs = 250;

// The longest one upstream query can take (the last server asked after the next-server
// delays, then its whole budget), plus a loop turn's slack: a worker waiting for another
// worker's query asks the upstream itself after this.
int64_t shared_wait_ms(const resolve::AresOptions& ao) {
  const int64_t servers = std::max<int64_t>(1, static_cast<int64_t>(ao.servers.size()));
  return (servers - 1) * resolve::ares_next_server_delay_ms(ao) +
         resolve::ares_server_budget_ms(ao) + kTickMs;
}

// The worker's DNS wake-up: another worker's query for a name we wait for has an outcome.
// Runs on that worker's thread (under the table's lock): one non-blocking eventfd write.
std::function<void()> eventfd_waker(int fd) {
  return [fd] {
    uint64_t one = 1;
    ssize_t rc = ::write(fd, &one, sizeof(one));
    (void)rc;  // EAGAIN: the counter is full, so a wake-up is pending anyway
  };
}

}  // namespace

Worker::Worker(unsigned index, WorkerShared& shared, metrics::WorkerMetrics& metrics, int wake_fd)
    : index_(index),
      shared_(shared),
      m_(metrics),
      wake_fd_(wake_fd),
      conns_(1, 1),
      batch_(1 << 20, 256),
      targets_(kTargetCacheEntries),
      quarantine_(*shared.quarantine) {}

Worker::~Worker() {
  closing_ = true;
  // Waits for other workers' DNS queries end while the driver (their timers) still exists,
  // and no other worker's reply wakes our eventfd after this.
  if (dns_source_) dns_source_->leave_shared();
  // c-ares callbacks (ARES_EDESTRUCTION) reach the resolver: the driver goes first.
  ares_.reset();
  resolver_.reset();
  dns_source_.reset();
  upstream_.reset();
  // The ring (and its registered buffers) before the sockets it has operations on.
  ring_.reset();
}

Expected<std::unique_ptr<Worker>, std::string> Worker::create(unsigned index, WorkerShared& shared,
                                                              metrics::WorkerMetrics& metrics,
                                                              int wake_fd) {
  std::unique_ptr<Worker> w(new Worker(index, shared, metrics, wake_fd));
  w->snap_ = shared.snapshot->load();
  w->snap_generation_ = shared.snapshot->generation();
  auto ok = w->open(*w->snap_);
  if (!ok) return unexpected(ok.error());
  return w;
}

Expected<bool, std::string> Worker::open(const RouterSnapshot& snap) {
  const config::DaemonConfig& cfg = snap.config;
  now_ms_ = monotonic_ms();
  auto ring = net::Ring::create(kRingEntries, shared_.features);
  if (!ring) return unexpected(ring.error());
  ring_ = std::move(*ring);
  uint32_t buf_size = static_cast<uint32_t>(std::min<size_t>(cfg.limits.max_message_size, 65535)) +
                      sizeof(io_uring_recvmsg_out) + sizeof(sockaddr_storage) + 64;
  buf_size = (buf_size + 63) & ~63u;
  auto br = ring_->add_buffer_ring(kUdpBufferGroup, kUdpBufferCount, buf_size);
  if (!br) return unexpected(br.error());
  udp_buffers_ = *br;

  conns_ = net::TcpConnectionTable(cfg.limits.tcp_max_connections_per_worker,
                                   cfg.limits.tcp_max_connections_per_source);
  scratch_.resize(cfg.limits.max_message_size + 4096);
  parser_ = sip::MessageParser(sip::ParserLimits{cfg.limits.max_message_size, 256});
  sip::reset_message(&msg_, parser_.limits());
  sip::reset_message(&reparse_, parser_.limits());

  for (size_t li = 0; li < cfg.listeners.size(); ++li) {
    const config::ListenerConfig& l = cfg.listeners[li];
    if (l.transport == resolve::Transport::kUdp) {
      auto fd = net::open_udp_socket(l.endpoint, true);
      if (!fd) return unexpected(fd.error());
      UdpListener u;
      u.fd = std::move(*fd);
      u.local = l.endpoint;
      u.msg.msg_namelen = sizeof(sockaddr_storage);
      udp_.push_back(std::move(u));
    } else if (l.transport == resolve::Transport::kTcp || l.transport == resolve::Transport::kTls) {
      auto fd = net::open_tcp_listener(l.endpoint, 1024);
      if (!fd) return unexpected(fd.error());
      tcp_.push_back(
          TcpListener{std::move(*fd), l.endpoint, l.transport == resolve::Transport::kTls, li});
    } else {
      return unexpected("listener " + l.endpoint.to_string() + ": transport not supported yet");
    }
  }
  // Requests that arrive over TCP and leave over UDP use a port of this worker's own, so
  // their responses come back here, where the client's connection is.
  if (shared_.worker_count > 1) {
    bool have4 = false, have6 = false;
    for (size_t i = 0; i < tcp_.size(); ++i) {
      const net::Endpoint& local = tcp_[i].local;
      bool& have = local.address.family == 6 ? have6 : have4;
      if (have) continue;
      have = true;
      auto s = net::open_udp_socket(net::Endpoint{local.address, 0}, false);
      if (!s) return unexpected(s.error());
      UdpListener u;
      u.fd = std::move(*s);
      net::local_endpoint(u.fd.get(), &u.local);
      u.msg.msg_namelen = sizeof(sockaddr_storage);
      u.private_port = true;
      udp_.push_back(std::move(u));
    }
  }

  rebuild_identity();
  resolve::AresOptions ao;
  ao.servers = cfg.dns.servers;
  ao.timeout_ms = cfg.dns.timeout_ms;
  ao.tries = cfg.dns.tries;
  auto driver = resolve::AresDriver::create(ao);
  if (!driver) return unexpected("dns: " + driver.error());
  ares_ = std::move(*driver);
  upstream_ = std::make_unique<resolve::AresUpstream>(*ares_);
  auto clock = [this] { return now_ms_; };
  resolve::CachingDnsSourceConfig dc;
  dc.shared_wait_ms = shared_wait_ms(ao);
  // Joined before the worker resolves anything; left by the source (leave_shared() in
  // ~Worker, or its destructor), on this thread, before the daemon closes the eventfd.
  resolve::SharedQueryTable::Participant sharing;
  if (shared_.worker_count > 1) sharing = shared_.dns_queries.join(eventfd_waker(wake_fd_));
  dns_source_ = std::make_unique<resolve::CachingDnsSource>(*shared_.dns_cache, *upstream_, clock,
                                                            dc, std::move(sharing));
  resolve::ResolverConfig rc;
  rc.quarantine_ms = cfg.dns.quarantine_ms;
  rc.ready_cache_entries = 0;  // the worker keeps its own ready target lists (TargetCache)
  // Each worker draws SRV weights with its own seed, so workers spread load differently.
  rc.seed = (static_cast<uint64_t>(monotonic_ms()) << 8) ^ (index_ * 0x9e3779b97f4a7c15ULL) ^
            reinterpret_cast<uintptr_t>(this);
  resolver_ = std::make_unique<resolve::Rfc3263Resolver>(*dns_source_, rc, clock);
  return true;
}

void Worker::arm_wake() {
  io_uring_sqe* s = ring_->sqe();
  io_uring_prep_read(s, wake_fd_, &wake_buf_, sizeof(wake_buf_), 0);
  io_uring_sqe_set_data64(s, net::make_user_data(OpKind::kWake, 0));
}

void Worker::rebuild_identity() {
  me_ = snap_->me;
  for (const UdpListener& u : udp_)
    if (u.private_port) me_.listeners.emplace_back(resolve::Transport::kUdp, u.local);
}

void Worker::refresh_snapshot() {
  uint64_t g = shared_.snapshot->generation();
  if (g == snap_generation_) return;
  snap_ = shared_.snapshot->load();
  snap_generation_ = g;
  rebuild_identity();
  LOG_INFO("configuration reloaded (generation %llu)", static_cast<unsigned long long>(g));
}

void Worker::sync_dns_polls() {
  const auto& wanted = ares_->sockets();
  // Remove polls c-ares no longer wants (socket closed or interest changed).
  for (auto it = dns_polls_.begin(); it != dns_polls_.end();) {
    auto w = std::find_if(
        wanted.begin(), wanted.end(),
        [&](const resolve::AresDriver::SocketInterest& s) { return s.fd == it->first; });
    uint32_t mask =
        w == wanted.end() ? 0 : ((w->readable ? POLLIN : 0) | (w->writable ? POLLOUT : 0));
    if (mask != it->second.mask) {
      io_uring_sqe* s = ring_->sqe();
      io_uring_prep_poll_remove(
          s, net::make_user_data(OpKind::kDnsPoll, static_cast<uint32_t>(it->first),
                                 it->second.generation));
      io_uring_sqe_set_data64(s, net::make_user_data(OpKind::kIgnore, 0));
      it = dns_polls_.erase(it);
    } else {
      ++it;
    }
  }
  for (const auto& w : wanted) {
    uint32_t mask = (w.readable ? POLLIN : 0) | (w.writable ? POLLOUT : 0);
    if (mask == 0 || dns_polls_.count(w.fd)) continue;
    uint32_t gen = ++dns_poll_generation_ & 0xffffff;
    io_uring_sqe* s = ring_->sqe();
    io_uring_prep_poll_add(s, w.fd, mask);
    io_uring_sqe_set_data64(
        s, net::make_user_data(OpKind::kDnsPoll, static_cast<uint32_t>(w.fd), gen));
    dns_polls_[w.fd] = DnsPoll{mask, gen};
  }
}

void Worker::run(int drain_ms) {
  resolve::RcuThread rcu;
  char name[16];
  std::snprintf(name, sizeof(name), "w%u", index_);
  log::set_thread_name(name);
  for (uint32_t i = 0; i < udp_.size(); ++i) arm_udp_recv(i);
  for (uint32_t i = 0; i < tcp_.size(); ++i) arm_accept(i);
  arm_wake();
  now_us_ = monotonic_us();
  now_ms_ = now_us_ / 1000;
  next_tick_ms_ = now_ms_ + kTickMs;
  int64_t drain_deadline = 0;
  io_uring* ring = ring_->raw();

  for (;;) {
    flush_streams();
    if (shared_.stop.load(std::memory_order_relaxed) && !stopping_) {
      stopping_ = true;
      drain_deadline = now_ms_ + drain_ms;
    }
    if (stopping_) {
      bool writes_pending = false;
      conns_.for_each(
          [&](net::TcpConnection& c) { writes_pending |= !c.out.empty() || !c.staged.empty(); });
      if ((pending_.empty() && !writes_pending && batch_.pending() == 0) ||
          now_ms_ >= drain_deadline)
        break;
    }
    batch_.flush();
    sync_dns_polls();
    int64_t accept_resume_ms;
    resume_accepts(&accept_resume_ms);
    int wait_ms =
        static_cast<int>(std::max<int64_t>(0, std::min(next_tick_ms_, accept_resume_ms) - now_ms_));
    if (!read_again_.empty()) wait_ms = 0;
    if (ares_->in_flight() > 0) wait_ms = std::min(wait_ms, ares_->next_timeout_ms(wait_ms));
    __kernel_timespec ts{};
    ts.tv_sec = wait_ms / 1000;
    ts.tv_nsec = static_cast<long long>(wait_ms % 1000) * 1'000'000;
    io_uring_cqe* first = nullptr;
    resolve::RcuThread::offline();
    io_uring_submit_and_wait_timeout(ring, &first, 1, &ts, nullptr);
    resolve::RcuThread::online();
    now_us_ = monotonic_us();
    now_ms_ = now_us_ / 1000;
    refresh_snapshot();

    unsigned head;
    unsigned seen = 0;
    io_uring_cqe* cqe;
    io_uring_for_each_cqe(ring, head, cqe) {
      handle_cqe(cqe);
      ++seen;
    }
    io_uring_cq_advance(ring, seen);
    // Outcomes of other workers' DNS queries we wait for (the wake CQE above, or posted
    // since): one atomic load when there are none.
    dns_source_->drain_shared();
    if (!read_again_.empty()) {
      std::vector<net::ConnRef> again;
      again.swap(read_again_);
      for (net::ConnRef ref : again)
        if (net::TcpConnection* c = conns_.get(ref)) on_conn_readable(c, 0);
    }

    if (ares_->in_flight() > 0) ares_->process_timeouts();
    if (now_ms_ >= next_tick_ms_) {
      on_timer_tick();
      next_tick_ms_ = now_ms_ + kTickMs;
    }
    // Every cache pointer of this turn is gone: a quiescent state for the DNS cache's RCU.
    resolve::RcuThread::quiescent();
  }
  flush_streams();
  batch_.flush();
  LOG_DEBUG("worker stopped");
}

void Worker::handle_cqe(const io_uring_cqe* cqe) {
  uint64_t ud = cqe->user_data;
  uint32_t idx = net::op_index(ud);
  uint32_t gen = net::op_generation(ud);
  switch (net::op_kind(ud)) {
    case OpKind::kUdpRecv:
      on_udp_recv(idx, cqe);
      break;
    case OpKind::kTcpAccept:
      on_accept(idx, cqe);
      break;
    case OpKind::kTcpPoll:
      if (net::TcpConnection* c = conns_.get(idx, gen)) {
        if (!(cqe->flags & IORING_CQE_F_MORE)) c->poll_armed = false;
        on_conn_readable(c, cqe->res);
        // A multishot poll can end without an error (the kernel's own limits): the
        // connection would never be read again.
        c = conns_.get(idx, gen);
        if (c && !c->poll_armed && c->fd && !stopping_) arm_conn_poll(c);
      }
      break;
    case OpKind::kTcpConnect:
      if (net::TcpConnection* c = conns_.get(idx, gen)) {
        c->writable_armed = false;
        on_connect_done(c, cqe->res);
      }
      break;
    case OpKind::kTcpWritable:
      if (net::TcpConnection* c = conns_.get(idx, gen)) {
        c->writable_armed = false;
        on_writable(c);
      }
      break;
    case OpKind::kDnsPoll: {
      auto it = dns_polls_.find(static_cast<int>(idx));
      if (it == dns_polls_.end() || it->second.generation != gen) break;  // removed/replaced
      dns_polls_.erase(it);
      if (cqe->res > 0) {
        int fd = static_cast<int>(idx);
        bool rd = cqe->res & (POLLIN | POLLERR | POLLHUP);
        bool wr = cqe->res & POLLOUT;
        ares_->process_fd(rd ? fd : -1, wr ? fd : -1);
      }
      break;
    }
    case OpKind::kWake:
      // Another worker's DNS outcome (run() drains it after this batch), a reload or a stop.
      // Not re-armed once stopping (no read left on the eventfd at teardown): outcomes
      // posted while draining are taken at the next tick.
      if (!shared_.stop.load(std::memory_order_relaxed)) arm_wake();
      break;
    case OpKind::kIgnore:
      break;
  }
}

void Worker::on_timer_tick() {
  // The source counts on its own (it knows no metrics); the block gets the difference.
  const uint64_t shared_waits = dns_source_->shared_waits();
  if (shared_waits != dns_shared_waits_reported_) {
    m_.count_dns_shared_waits(shared_waits - dns_shared_waits_reported_);
    dns_shared_waits_reported_ = shared_waits;
  }
  if (batch_.refused_total() != udp_refused_reported_) {
    m_.count_event(metrics::Event::kUdpSendFailed, batch_.refused_total() - udp_refused_reported_);
    udp_refused_reported_ = batch_.refused_total();
  }
  const config::LimitsConfig& lim = snap_->config.limits;
  int64_t idle_ms = static_cast<int64_t>(lim.tcp_idle_timeout_s) * 1000;
  std::vector<net::TcpConnection*> expired;
  std::vector<std::pair<net::TcpConnection*, metrics::Event>> overdue;
  conns_.for_each([&](net::TcpConnection& c) {
    if (c.state != net::TcpConnection::State::kOpen) return;
    // Slowloris: a message trickled slower than its deadline; a peer that stopped reading.
    if (c.message_started_ms != 0 && now_ms_ - c.message_started_ms >= lim.tcp_message_timeout_ms) {
      overdue.emplace_back(&c, metrics::Event::kMessageTimeout);
    } else if (!c.out.empty() && now_ms_ - c.write_progress_ms >= lim.tcp_write_stall_timeout_ms) {
      overdue.emplace_back(&c, metrics::Event::kWriteStalled);
    }
  });
  for (auto [c, why] : overdue) {
    m_.count_event(why);
    close_conn(c, why == metrics::Event::kMessageTimeout ? "message not complete in time"
                                                         : "write queue stalled");
  }
  conns_.for_each([&](net::TcpConnection& c) {
    if (c.state == net::TcpConnection::State::kConnecting && now_ms_ >= c.connect_deadline_ms) {
      expired.push_back(&c);
    } else if (c.tls && !c.tls_established && c.connect_deadline_ms != 0 &&
               now_ms_ >= c.connect_deadline_ms) {
      expired.push_back(&c);  // an accepted TLS connection that never finished its handshake
    } else if (c.state == net::TcpConnection::State::kOpen &&
               now_ms_ - c.last_active_ms >= idle_ms) {
      expired.push_back(&c);
    }
  });
  for (net::TcpConnection* c : expired) {
    bool handshaking = c->tls.has_value() && !c->tls_established;
    if (handshaking)
      m_.tls_handshake_failed(c->outbound ? metrics::Direction::kOut : metrics::Direction::kIn,
                              metrics::TlsFailure::kTimeout);
    if (c->state == net::TcpConnection::State::kConnecting) {
      LOG_WARN("%s to %s timed out; next hop quarantined",
               handshaking ? "tls handshake" : "tcp connect", c->remote.to_string().c_str());
      connect_failed(c, handshaking ? "tls handshake timeout" : "connect timeout");
    } else if (handshaking) {
      close_conn(c, "tls handshake timeout");
    } else {
      close_conn(c, "idle");
    }
  }
}

}  // namespace sipedge::router
