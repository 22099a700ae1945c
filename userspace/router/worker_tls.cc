// TLS on the worker's ring: OpenSSL runs over memory BIOs (no kTLS here), so the socket I/O
// stays the readiness-driven non-blocking reads and writes of worker_tcp.cc and a handshake
// never blocks the loop. An outbound connection counts as connecting until the peer's
// certificate verified for the identity the request was resolved for (R8, RFC 5922): a
// failed handshake fails over to the next target exactly like a refused connect.
#include "router/worker.h"

namespace sipedge::router {

using net::TcpConnection;

namespace {

metrics::TlsFailure metric_of(tls::FailureReason r) {
  switch (r) {
    case tls::FailureReason::kExpired:
      return metrics::TlsFailure::kExpired;
    case tls::FailureReason::kNotYetValid:
      return metrics::TlsFailure::kNotYetValid;
    case tls::FailureReason::kUnknownCa:
      return metrics::TlsFailure::kUnknownCa;
    case tls::FailureReason::kNameMismatch:
      return metrics::TlsFailure::kNameMismatch;
    case tls::FailureReason::kNoPeerCertificate:
      return metrics::TlsFailure::kNoPeerCertificate;
    case tls::FailureReason::kProtocol:
      return metrics::TlsFailure::kProtocol;
    case tls::FailureReason::kClosed:
      return metrics::TlsFailure::kClosed;
    case tls::FailureReason::kNone:
    case tls::FailureReason::kOther:
      break;
  }
  return metrics::TlsFailure::kOther;
}

metrics::TlsVersion version_of(std::string_view v) {
  if (v == "TLSv1.3") return metrics::TlsVersion::kTls13;
  if (v == "TLSv1.2") return metrics::TlsVersion::kTls12;
  return metrics::TlsVersion::kOther;
}

metrics::Direction direction_of(const TcpConnection* c) {
  return c->outbound ? metrics::Direction::kOut : metrics::Direction::kIn;
}

}  // namespace

bool Worker::start_tls_server(TcpConnection* c, size_t listener_config_index) {
  std::shared_ptr<const tls::ServerContext> ctx;
  if (listener_config_index < snap_->tls_servers.size())
    ctx = snap_->tls_servers[listener_config_index];
  auto s = tls::TlsSession::accept(std::move(ctx));  // no context: an error, not a crash
  if (!s) {
    LOG_WARN("tls from %s: %s", c->remote.to_string().c_str(), s.error().c_str());
    close_conn(c, "tls setup failed");
    return false;
  }
  c->tls.emplace(std::move(*s));
  // A client that connects and never finishes the handshake is closed after this.
  c->connect_deadline_ms = now_ms_ + snap_->config.tls.handshake_timeout_ms;
  return true;
}

std::string Worker::tls_session_key(const TcpConnection* c) const {
  return tls::ClientSessionCache::key_for(c->remote.to_string(), c->tls_identity);
}

bool Worker::start_tls_client(TcpConnection* c) {
  SSL_SESSION* resume =
      snap_->config.tls.session_tickets ? tls_sessions_.find(tls_session_key(c)) : nullptr;
  auto s = tls::TlsSession::connect(snap_->tls_client, c->tls_identity, resume);
  if (!s) {
    LOG_WARN("tls to %s: %s", c->remote.to_string().c_str(), s.error().c_str());
    connect_failed(c, "tls setup failed");
    return false;
  }
  c->tls.emplace(std::move(*s));
  if (c->tls->start() == tls::TlsSession::Status::kFailed) {
    on_tls_failed(c);
    return false;
  }
  return flush_tls(c);
}

bool Worker::flush_tls(TcpConnection* c) {
  tls_tx_.clear();
  if (c->tls->take_ciphertext(&tls_tx_) == 0) return true;
  return send_raw(c, tls_tx_);
}

bool Worker::tls_received(TcpConnection* c, std::string_view ciphertext, bool* eof) {
  net::ConnRef ref = conns_.ref_of(c);
  bool was_established = c->tls_established;
  tls::TlsSession::Status st = tls::TlsSession::Status::kOk;
  if (!ciphertext.empty()) st = c->tls->feed(ciphertext);
  if (st != tls::TlsSession::Status::kFailed) {
    tls::TlsSession::Status rd = c->tls->read(&c->in);
    if (rd == tls::TlsSession::Status::kFailed || rd == tls::TlsSession::Status::kClosed) st = rd;
  }
  // The socket's EOF: mid-handshake it is a failure (the peer gave up: "closed").
  if (*eof && st != tls::TlsSession::Status::kFailed) {
    tls::TlsSession::Status end = c->tls->feed_eof();
    if (end == tls::TlsSession::Status::kFailed) st = end;
  }
  if (st == tls::TlsSession::Status::kFailed) {
    // Handshake records or an alert may still be owed to the peer (it learns why).
    flush_tls(c);
    if ((c = conns_.get(ref))) on_tls_failed(c);
    return false;
  }
  if (!was_established && c->tls->handshake_done()) {
    on_tls_established(c);
    if (!(c = conns_.get(ref))) return false;
  }
  if (c->outbound && c->tls_established) remember_tls_session(c);
  if (!flush_tls(c) || !(c = conns_.get(ref))) return false;
  if (st == tls::TlsSession::Status::kClosed) *eof = true;
  return true;
}

void Worker::on_tls_established(TcpConnection* c) {
  c->tls_established = true;
  metrics::TlsVersion v = version_of(c->tls->version());
  c->tls_version = static_cast<uint8_t>(v);
  m_.tls_handshake_ok(direction_of(c), v);
  LOG_DEBUG("tls %s %s established (%.*s%s)", c->outbound ? "to" : "from",
            c->remote.to_string().c_str(), static_cast<int>(c->tls->version().size()),
            c->tls->version().data(), c->tls->resumed() ? ", resumed" : "");
  if (!c->outbound) {
    c->connect_deadline_ms = 0;
    flush_stream(c);
    return;
  }
  connection_up(c);
  c->connect_deadline_ms = 0;
  flush_stream(c);  // what waited for the verified peer
}

void Worker::on_tls_failed(TcpConnection* c) {
  tls::FailureReason why = c->tls ? c->tls->failure() : tls::FailureReason::kOther;
  bool certificate_refused =
      why == tls::FailureReason::kNoPeerCertificate || why == tls::FailureReason::kUnknownCa ||
      why == tls::FailureReason::kExpired || why == tls::FailureReason::kNotYetValid;
  if (c->tls_established && !(c->outbound && certificate_refused)) {
    // After the handshake a failure is an alert or garbage: the connection ends, nothing
    // is counted as a handshake failure.
    close_conn(c, "tls error");
    return;
  }
  // (An outbound TLS 1.3 connection is "established" before the server has judged our
  // client certificate; its refusal arrives as an alert afterwards and counts as what it
  // is: a failed handshake with that next hop, which is quarantined.)
  m_.tls_handshake_failed(direction_of(c), metric_of(why));
  std::string detail = c->tls ? c->tls->failure_detail() : std::string();
  if (c->outbound) {
    LOG_WARN("tls handshake with %s for %s failed (%.*s: %s); next hop quarantined",
             c->remote.to_string().c_str(), c->tls_identity.c_str(),
             static_cast<int>(tls::failure_reason_name(why).size()),
             tls::failure_reason_name(why).data(), detail.c_str());
    tls_sessions_.erase(tls_session_key(c));
    connect_failed(c, "tls handshake failed");
    return;
  }
  if (refusal_log_.allow(now_ms_))
    LOG_INFO("tls handshake from %s failed (%.*s: %s)", c->remote.to_string().c_str(),
             static_cast<int>(tls::failure_reason_name(why).size()),
             tls::failure_reason_name(why).data(), detail.c_str());
  close_conn(c, "tls handshake failed");
}

void Worker::remember_tls_session(TcpConnection* c) {
  if (!snap_->config.tls.session_tickets) return;
  SSL_SESSION* s = c->tls->session_for_resumption();
  if (!s || s == c->tls_stored_session) return;
  c->tls_stored_session = s;
  tls_sessions_.store(tls_session_key(c), s);
}

}  // namespace sipedge::router
