// Streams (TCP, and TLS over it): multishot accept, readiness-driven reads framed by
// Content-Length (the parser's stream mode), bounded write queues, outgoing connections
// reused per next hop. TLS sits between the socket and the framing (worker_tls.cc).
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <poll.h>
#include <sys/socket.h>

#include "net/sockets.h"
#include "router/worker.h"
#include "sip/stream_framer.h"

namespace sipedge::router {

using net::OpKind;
using net::TcpConnection;

namespace {

// How long accept waits after the process or the system ran out of descriptors or memory:
// re-arming at once would fail again at once, every worker at 100 % CPU, and the backlog
// would never drain.
constexpr int64_t kAcceptBackoffMs = 100;

bool out_of_resources(int err) {
  return err == EMFILE || err == ENFILE || err == ENOBUFS || err == ENOMEM;
}

}  // namespace

void Worker::arm_accept(uint32_t i) {
  io_uring_sqe* s = ring_->sqe();
  io_uring_prep_multishot_accept(s, tcp_[i].fd.get(), nullptr, nullptr,
                                 SOCK_NONBLOCK | SOCK_CLOEXEC);
  io_uring_sqe_set_data64(s, net::make_user_data(OpKind::kTcpAccept, i));
  tcp_[i].accept_armed = true;
}

void Worker::resume_accepts(int64_t* next_ms) {
  *next_ms = INT64_MAX;
  if (stopping_) return;
  for (uint32_t i = 0; i < tcp_.size(); ++i) {
    TcpListener& l = tcp_[i];
    if (l.accept_armed || l.accept_paused_until_ms == 0) continue;
    if (now_ms_ >= l.accept_paused_until_ms) {
      l.accept_paused_until_ms = 0;
      arm_accept(i);
    } else {
      *next_ms = std::min(*next_ms, l.accept_paused_until_ms);
    }
  }
}

void Worker::arm_conn_poll(TcpConnection* c) {
  net::ConnRef ref = conns_.ref_of(c);
  io_uring_sqe* s = ring_->sqe();
  io_uring_prep_poll_multishot(s, c->fd.get(), POLLIN | POLLRDHUP);
  io_uring_sqe_set_data64(s, net::make_user_data(OpKind::kTcpPoll, ref.index, ref.generation));
  c->poll_armed = true;
}

void Worker::arm_writable(TcpConnection* c, OpKind kind) {
  if (c->writable_armed) return;
  net::ConnRef ref = conns_.ref_of(c);
  io_uring_sqe* s = ring_->sqe();
  io_uring_prep_poll_add(s, c->fd.get(), POLLOUT);
  io_uring_sqe_set_data64(s, net::make_user_data(kind, ref.index, ref.generation));
  c->writable_armed = true;
}

void Worker::on_accept(uint32_t i, const io_uring_cqe* cqe) {
  TcpListener& listener = tcp_[i];
  const bool more = cqe->flags & IORING_CQE_F_MORE;
  if (!more) listener.accept_armed = false;
  if (cqe->res < 0 && out_of_resources(-cqe->res)) {
    m_.count_event(metrics::Event::kAcceptBackoff);
    if (listener.accept_paused_until_ms == 0 && refusal_log_.allow(now_ms_))
      LOG_WARN("accept on %s: %s; not accepting for %lld ms", listener.local.to_string().c_str(),
               std::strerror(-cqe->res), static_cast<long long>(kAcceptBackoffMs));
    listener.accept_paused_until_ms = now_ms_ + kAcceptBackoffMs;
    if (more) {
      // Still armed: end it, or the kernel keeps failing it for us.
      io_uring_sqe* s = ring_->sqe();
      io_uring_prep_cancel64(s, net::make_user_data(OpKind::kTcpAccept, i), 0);
      io_uring_sqe_set_data64(s, net::make_user_data(OpKind::kIgnore, 0));
    }
    return;
  }
  if (!more && !stopping_ && listener.accept_paused_until_ms == 0) arm_accept(i);
  if (cqe->res < 0) return;
  net::UniqueFd fd(cqe->res);
  if (stopping_) return;
  sockaddr_storage ss;
  socklen_t len = sizeof(ss);
  net::Endpoint remote;
  if (getpeername(fd.get(), reinterpret_cast<sockaddr*>(&ss), &len) != 0 ||
      !net::endpoint_from_sockaddr(reinterpret_cast<sockaddr*>(&ss), &remote))
    return;
  int one = 1;
  setsockopt(fd.get(), IPPROTO_TCP, TCP_NODELAY, &one, sizeof(one));
  const char* why = "";
  const TcpListener& l = listener;
  TcpConnection* c = conns_.open(remote, false, std::move(fd), &why,
                                 l.tls ? resolve::Transport::kTls : resolve::Transport::kTcp);
  if (!c) {
    m_.count_drop(std::string_view(why) == "connection limit"
                      ? metrics::DropReason::kConnectionLimit
                      : metrics::DropReason::kSourceConnectionLimit);
    if (refusal_log_.allow(now_ms_))
      LOG_WARN("tcp connection from %s refused: %s", remote.to_string().c_str(), why);
    return;
  }
  c->local = l.local;
  c->last_active_ms = now_ms_;
  m_.connections_opened();
  if (l.tls && !start_tls_server(c, l.config_index)) return;
  arm_conn_poll(c);
}

void Worker::on_conn_readable(TcpConnection* c, int res) {
  net::ConnRef ref = conns_.ref_of(c);
  if (res < 0 && res != -ECANCELED) {
    close_conn(c, "poll error");
    return;
  }
  if (res == -ECANCELED) return;
  const size_t limit = snap_->config.limits.max_message_size;
  bool eof = false;
  bool more_queued = false;
  // Read what is there, in bounded steps: one connection cannot starve the others. TLS
  // ciphertext goes through the session first; plaintext lands in c->in either way.
  std::string& sink = c->tls ? tls_rx_ : c->in;
  for (int round = 0; round < 16; ++round) {
    more_queued = round == 15;
    size_t old = sink.size();
    size_t want = 16384;
    sink.resize(old + want);
    ssize_t n = recv(c->fd.get(), sink.data() + old, want, MSG_DONTWAIT);
    if (n <= 0) {
      sink.resize(old);
      if (n == 0) eof = true;
      if (n < 0 && errno != EAGAIN && errno != EINTR) eof = true;
      break;
    }
    sink.resize(old + static_cast<size_t>(n));
    if (static_cast<size_t>(n) < want) {
      more_queued = false;
      break;
    }
    if (sink.size() > limit + 65536) {
      more_queued = true;
      break;
    }
  }
  if (more_queued && !eof) read_again_.push_back(ref);
  c->last_active_ms = now_ms_;
  if (c->tls) {
    bool ok = tls_received(c, tls_rx_, &eof);
    tls_rx_.clear();
    if (!ok) return;  // closed (handshake failure, alert) or failed over
  }

  RxContext rx;
  rx.in.transport = c->transport;
  rx.in.source = c->remote;
  rx.in.local = c->local;
  rx.in.flow = trust::pack(stream_flow(c->transport, ref));
  rx.conn = ref;
  rx.arrived_us = now_us_;
  size_t off = 0;
  bool completed = false;
  for (;;) {
    c = conns_.get(ref);
    if (!c) return;  // closed while handling a message
    std::string_view rest(c->in.data() + off, c->in.size() - off);
    if (rest.empty()) break;
    sip::FrameResult fr = sip::frame_stream_message(parser_, rest, &msg_, &c->frame);
    completed |= fr.status == sip::FrameStatus::kComplete;
    if (fr.status == sip::FrameStatus::kKeepalive) {
      // RFC 5626 §3.5.1: a double-CRLF ping gets a CRLF pong.
      if (fr.consumed >= 4) send_tcp(c, "\r\n");
      off += fr.consumed;
      continue;
    }
    if (fr.status == sip::FrameStatus::kComplete) {
      std::string_view raw = rest.substr(0, fr.consumed);
      off += fr.consumed;
      on_parsed(msg_, raw, rx, nullptr);
      continue;
    }
    if (fr.status == sip::FrameStatus::kNeedMore) {
      if (rest.size() > limit) {
        sip::ParseError e{sip::ParseErrorCode::kTooLarge, "message", "larger than the size limit"};
        on_parse_failure(rest, rx, e);
        if ((c = conns_.get(ref)) && flush_stream(c)) close_conn(c, "message over the size limit");
        return;
      }
      break;
    }
    // A broken stream cannot be resynchronised: answer if possible, then close.
    on_parse_failure(rest, rx, fr.error);
    if ((c = conns_.get(ref)) && flush_stream(c)) close_conn(c, "unparseable stream");
    return;
  }
  if ((c = conns_.get(ref))) {
    c->in.erase(0, off);
    // The deadline runs from the first byte of the message now at the front.
    if (c->in.empty()) {
      c->message_started_ms = 0;
    } else if (c->message_started_ms == 0 || completed) {
      c->message_started_ms = now_ms_;
    }
    // What the peer's last messages got (a 400, a keep-alive pong) still goes out first.
    if (eof && flush_stream(c)) close_conn(c, "closed by peer");
  }
}

TcpConnection* Worker::outbound_connection(const net::Endpoint& to, resolve::Transport transport,
                                           std::string_view identity) {
  if (TcpConnection* c = conns_.find(to, transport, identity)) return c;
  if (transport == resolve::Transport::kTls && !snap_->tls_client) return nullptr;
  auto fd = net::start_tcp_connect(to);
  if (!fd) {
    if (fd.error().local) {
      // Out of descriptors or memory here: the hop did nothing wrong, so it stays usable.
      m_.count_event(metrics::Event::kLocalSocketFailure);
    } else {
      quarantine_.mark_failed(HopTarget{transport, to}, now_ms_);
    }
    if (refusal_log_.allow(now_ms_)) LOG_WARN("%s", fd.error().message.c_str());
    return nullptr;
  }
  const char* why = "";
  TcpConnection* c = conns_.open(to, true, std::move(*fd), &why, transport, identity);
  if (!c) {
    m_.count_drop(metrics::DropReason::kConnectionLimit);
    return nullptr;
  }
  // connect(2) has already picked the source address and port, even while in progress.
  net::local_endpoint(c->fd.get(), &c->local);
  c->connect_deadline_ms = now_ms_ + snap_->config.limits.tcp_connect_timeout_ms;
  c->last_active_ms = now_ms_;
  m_.connections_opened();
  arm_writable(c, OpKind::kTcpConnect);
  return c;
}

void Worker::on_connect_done(TcpConnection* c, int res) {
  int err = 0;
  socklen_t len = sizeof(err);
  if (res < 0 || getsockopt(c->fd.get(), SOL_SOCKET, SO_ERROR, &err, &len) != 0 || err != 0) {
    LOG_WARN("tcp connect to %s failed: %s; next hop quarantined", c->remote.to_string().c_str(),
             std::strerror(err ? err : -res));
    connect_failed(c, "connect failed");
    return;
  }
  net::local_endpoint(c->fd.get(), &c->local);
  c->last_active_ms = now_ms_;
  if (c->transport == resolve::Transport::kTls) {
    // Still "connecting" until the peer is verified: a failed handshake fails over like a
    // refused connect, and what waits is sent only to a verified peer.
    c->connect_deadline_ms = now_ms_ + snap_->config.tls.handshake_timeout_ms;
    arm_conn_poll(c);
    start_tls_client(c);
    return;
  }
  connection_up(c);
  arm_conn_poll(c);
  flush_stream(c);
}

void Worker::connection_up(TcpConnection* c) {
  c->state = TcpConnection::State::kOpen;
  auto it = connecting_.find(conn_key(conns_.ref_of(c)));
  if (it == connecting_.end()) return;
  for (const Parked& p : it->second) {
    std::string_view method(p.raw);
    method = method.substr(0, method.find(' '));
    m_.count_request(metrics::Direction::kOut, c->transport, metrics::method_from(method));
  }
  connecting_.erase(it);
}

void Worker::on_writable(TcpConnection* c) {
  while (!c->out.empty()) {
    ssize_t n = send(c->fd.get(), c->out.data(), c->out.size(), MSG_DONTWAIT | MSG_NOSIGNAL);
    if (n > 0) {
      c->out.erase(0, static_cast<size_t>(n));
      c->write_progress_ms = now_ms_;
      continue;
    }
    if (n < 0 && (errno == EAGAIN || errno == EINTR)) {
      arm_writable(c, OpKind::kTcpWritable);
      return;
    }
    close_conn(c, "write failed");
    return;
  }
}

bool Worker::send_tcp(TcpConnection* c, std::string_view bytes) {
  if (c->out.size() + c->staged.size() + bytes.size() >
      snap_->config.limits.tcp_write_queue_bytes) {
    m_.count_drop(metrics::DropReason::kWriteQueueFull);
    return false;
  }
  c->last_active_ms = now_ms_;
  // Staged and sent at the end of the loop turn with whatever else the turn produces for
  // this connection: one send (and over TLS one record) for a burst of responses.
  c->staged.append(bytes);
  if (!c->flush_queued) {
    c->flush_queued = true;
    stream_flush_.push_back(conns_.ref_of(c));
  }
  return true;
}

void Worker::flush_streams() {
  // Walked by index: nothing a flush does stages more today, but an append would still be
  // flushed in this pass.
  std::vector<net::ConnRef>& list = stream_flush_;
  for (size_t i = 0; i < list.size(); ++i) {
    if (TcpConnection* c = conns_.get(list[i])) {
      c->flush_queued = false;
      flush_stream(c);
    }
  }
  list.clear();
}

bool Worker::flush_stream(TcpConnection* c) {
  if (c->staged.empty()) return true;
  if (c->state != TcpConnection::State::kOpen) return true;  // sent once it is up
  if (c->tls) {
    if (!c->tls_established) return true;
    tls::TlsSession::Status st = c->tls->write(c->staged);
    c->staged.clear();
    if (st == tls::TlsSession::Status::kFailed || st == tls::TlsSession::Status::kClosed) {
      close_conn(c, "tls write failed");
      return false;
    }
    return flush_tls(c);
  }
  net::ConnRef ref = conns_.ref_of(c);
  bool ok = send_raw(c, c->staged);
  if ((c = conns_.get(ref))) c->staged.clear();
  return ok;
}

bool Worker::send_raw(TcpConnection* c, std::string_view bytes) {
  // A TLS connection writes only once its TCP connect completed (handshake records first).
  bool connected =
      c->state == TcpConnection::State::kOpen || c->transport == resolve::Transport::kTls;
  if (connected && c->out.empty()) {
    ssize_t n = send(c->fd.get(), bytes.data(), bytes.size(), MSG_DONTWAIT | MSG_NOSIGNAL);
    if (n == static_cast<ssize_t>(bytes.size())) return true;
    if (n < 0 && errno != EAGAIN && errno != EINTR) {
      close_conn(c, "write failed");
      return false;
    }
    if (n > 0) bytes.remove_prefix(static_cast<size_t>(n));
    c->write_progress_ms = now_ms_;
    c->out.append(bytes);
    arm_writable(c, OpKind::kTcpWritable);
    return true;
  }
  if (c->out.empty()) c->write_progress_ms = now_ms_;
  c->out.append(bytes);
  return true;
}

void Worker::connect_failed(TcpConnection* c, const char* why) {
  quarantine_.mark_failed(HopTarget{c->transport, c->remote}, now_ms_);
  resolver_->mark_failed(
      resolve::Target{c->transport, "", c->remote.port, c->remote.address, c->tls_identity});
  m_.count_failover();
  std::vector<Parked> waiting;
  auto it = connecting_.find(conn_key(conns_.ref_of(c)));
  if (it != connecting_.end()) {
    waiting = std::move(it->second);
    connecting_.erase(it);
  }
  close_conn(c, why);
  // Routed again from the start (policy included): the failed hop is quarantined now, so the
  // next target is chosen; when none is left, the sender gets 503 (forward_request).
  reinjecting_ = true;
  for (Parked& p : waiting) {
    if (parser_.parse(p.raw, sip::Framing::kDatagram, &reparse_))
      on_parsed(reparse_, p.raw, p.rx, nullptr);
  }
  reinjecting_ = false;
}

void Worker::close_conn(TcpConnection* c, const char* why) {
  net::ConnRef ref = conns_.ref_of(c);
  connecting_.erase(conn_key(ref));
  LOG_DEBUG("tcp %s %s closed: %s", c->outbound ? "to" : "from", c->remote.to_string().c_str(),
            why);
  // Armed polls hold the file: remove them so the socket really closes.
  if (c->poll_armed) {
    io_uring_sqe* s = ring_->sqe();
    io_uring_prep_poll_remove(s, net::make_user_data(OpKind::kTcpPoll, ref.index, ref.generation));
    io_uring_sqe_set_data64(s, net::make_user_data(OpKind::kIgnore, 0));
  }
  if (c->writable_armed) {
    for (OpKind k : {OpKind::kTcpWritable, OpKind::kTcpConnect}) {
      io_uring_sqe* s = ring_->sqe();
      io_uring_prep_poll_remove(s, net::make_user_data(k, ref.index, ref.generation));
      io_uring_sqe_set_data64(s, net::make_user_data(OpKind::kIgnore, 0));
    }
  }
  m_.connections_closed();
  if (c->tls_established) m_.tls_closed(static_cast<metrics::TlsVersion>(c->tls_version));
  conns_.close(c);
}

net::Endpoint Worker::via_local_for(const TcpConnection* c) {
  // Our Via must name a listener (a response is ours only if its top Via is), ideally one
  // of this connection's transport on the address it leaves from, so a new connection
  // could reach us too.
  bool want_tls = c->transport == resolve::Transport::kTls;
  const TcpListener* best = nullptr;
  int best_score = 0;
  for (const TcpListener& l : tcp_) {
    if (l.local.address.family != c->local.address.family) continue;
    int score = 1 + (l.tls == want_tls ? 4 : 0) + (l.local.address == c->local.address ? 2 : 0);
    if (score > best_score) {
      best = &l;
      best_score = score;
    }
  }
  if (best) return best->local;
  // A UDP-only edge: the response still comes back on this connection.
  if (const UdpListener* u = udp_socket_for(c->remote, false)) return u->local;
  return c->local;
}

}  // namespace sipedge::router
