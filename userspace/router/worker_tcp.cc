// TCP: multishot accept, readiness-driven reads framed by Content-Length (the parser's
// stream mode), bounded write queues, outgoing connections reused per next hop.
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

void Worker::arm_accept(uint32_t i) {
  io_uring_sqe* s = ring_->sqe();
  io_uring_prep_multishot_accept(s, tcp_[i].fd.get(), nullptr, nullptr,
                                 SOCK_NONBLOCK | SOCK_CLOEXEC);
  io_uring_sqe_set_data64(s, net::make_user_data(OpKind::kTcpAccept, i));
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
  if (!(cqe->flags & IORING_CQE_F_MORE) && !stopping_) arm_accept(i);
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
  TcpConnection* c = conns_.open(remote, false, std::move(fd), &why);
  if (!c) {
    m_.count_drop(std::string_view(why) == "connection limit"
                      ? metrics::DropReason::kConnectionLimit
                      : metrics::DropReason::kSourceConnectionLimit);
    if (refusal_log_.allow(now_ms_))
      LOG_WARN("tcp connection from %s refused: %s", remote.to_string().c_str(), why);
    return;
  }
  c->local = tcp_[i].local;
  c->last_active_ms = now_ms_;
  m_.connections_opened();
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
  // Read what is there, in bounded steps: one connection cannot starve the others.
  for (int round = 0; round < 16; ++round) {
    more_queued = round == 15;
    size_t old = c->in.size();
    size_t want = 16384;
    c->in.resize(old + want);
    ssize_t n = recv(c->fd.get(), c->in.data() + old, want, MSG_DONTWAIT);
    if (n <= 0) {
      c->in.resize(old);
      if (n == 0) eof = true;
      if (n < 0 && errno != EAGAIN && errno != EINTR) eof = true;
      break;
    }
    c->in.resize(old + static_cast<size_t>(n));
    if (static_cast<size_t>(n) < want) {
      more_queued = false;
      break;
    }
    if (c->in.size() > limit + 65536) {
      more_queued = true;
      break;
    }
  }
  if (more_queued && !eof) read_again_.push_back(ref);
  c->last_active_ms = now_ms_;

  RxContext rx;
  rx.in.transport = resolve::Transport::kTcp;
  rx.in.source = c->remote;
  rx.in.local = c->local;
  rx.conn = ref;
  rx.arrived_us = now_us_;
  size_t off = 0;
  for (;;) {
    c = conns_.get(ref);
    if (!c) return;  // closed while handling a message
    std::string_view rest(c->in.data() + off, c->in.size() - off);
    if (rest.empty()) break;
    sip::FrameResult fr = sip::frame_stream_message(parser_, rest, &msg_);
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
        if ((c = conns_.get(ref))) close_conn(c, "message over the size limit");
        return;
      }
      break;
    }
    // A broken stream cannot be resynchronised: answer if possible, then close.
    on_parse_failure(rest, rx, fr.error);
    if ((c = conns_.get(ref))) close_conn(c, "unparseable stream");
    return;
  }
  if ((c = conns_.get(ref))) {
    c->in.erase(0, off);
    if (eof) close_conn(c, "closed by peer");
  }
}

TcpConnection* Worker::outbound_connection(const net::Endpoint& to) {
  if (TcpConnection* c = conns_.find(to)) return c;
  auto fd = net::start_tcp_connect(to);
  if (!fd) {
    quarantine_.mark_failed(HopTarget{resolve::Transport::kTcp, to}, now_ms_);
    LOG_WARN("%s", fd.error().c_str());
    return nullptr;
  }
  const char* why = "";
  TcpConnection* c = conns_.open(to, true, std::move(*fd), &why);
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
  connecting_.erase(conn_key(conns_.ref_of(c)));
  c->state = TcpConnection::State::kOpen;
  net::local_endpoint(c->fd.get(), &c->local);
  c->last_active_ms = now_ms_;
  arm_conn_poll(c);
  on_writable(c);
}

void Worker::on_writable(TcpConnection* c) {
  while (!c->out.empty()) {
    ssize_t n = send(c->fd.get(), c->out.data(), c->out.size(), MSG_DONTWAIT | MSG_NOSIGNAL);
    if (n > 0) {
      c->out.erase(0, static_cast<size_t>(n));
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
  if (c->out.size() + bytes.size() > snap_->config.limits.tcp_write_queue_bytes) {
    m_.count_drop(metrics::DropReason::kWriteQueueFull);
    return false;
  }
  c->last_active_ms = now_ms_;
  if (c->state == TcpConnection::State::kOpen && c->out.empty()) {
    ssize_t n = send(c->fd.get(), bytes.data(), bytes.size(), MSG_DONTWAIT | MSG_NOSIGNAL);
    if (n == static_cast<ssize_t>(bytes.size())) return true;
    if (n < 0 && errno != EAGAIN && errno != EINTR) {
      close_conn(c, "write failed");
      return false;
    }
    if (n > 0) bytes.remove_prefix(static_cast<size_t>(n));
    c->out.append(bytes);
    arm_writable(c, OpKind::kTcpWritable);
    return true;
  }
  c->out.append(bytes);
  return true;
}

void Worker::connect_failed(TcpConnection* c, const char* why) {
  quarantine_.mark_failed(HopTarget{resolve::Transport::kTcp, c->remote}, now_ms_);
  resolver_->mark_failed(
      resolve::Target{resolve::Transport::kTcp, "", c->remote.port, c->remote.address, ""});
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
  conns_.close(c);
}

}  // namespace sipedge::router
