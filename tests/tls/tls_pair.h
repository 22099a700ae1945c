// Drives a client and a server TlsSession against each other in memory: what one side's
// take_ciphertext() yields is fed to the other, in chunks of any size, as a socket would
// deliver it.
#pragma once

#include <cstddef>
#include <memory>
#include <string>
#include <string_view>

#include "tls/tls_session.h"

namespace sipedge::tls::testing {

struct Peer {
  explicit Peer(TlsSession s) : tls(std::move(s)) {}
  TlsSession tls;
  std::string received;  // plaintext read so far
  bool failed = false;
  bool closed = false;
};

// Feeds `bytes` to `to` in `chunk`-sized pieces, reading plaintext after each piece.
inline void deliver(std::string_view bytes, Peer& to, size_t chunk) {
  for (size_t off = 0; off < bytes.size() && !to.failed; off += chunk) {
    TlsSession::Status st = to.tls.feed(bytes.substr(off, chunk));
    if (st == TlsSession::Status::kFailed) {
      to.failed = true;
      return;
    }
    if (st == TlsSession::Status::kClosed) {
      to.closed = true;
      return;
    }
    if (!to.tls.handshake_done()) continue;
    st = to.tls.read(&to.received);
    if (st == TlsSession::Status::kFailed) to.failed = true;
    if (st == TlsSession::Status::kClosed) to.closed = true;
  }
}

// Shuttles ciphertext both ways until neither side has anything left to send.
inline void pump(Peer& a, Peer& b, size_t chunk = std::string::npos) {
  for (int round = 0; round < 64; ++round) {
    std::string ab, ba;
    a.tls.take_ciphertext(&ab);
    deliver(ab, b, chunk);
    b.tls.take_ciphertext(&ba);
    deliver(ba, a, chunk);
    if (ab.empty() && ba.empty()) return;
  }
}

struct Connection {
  Peer client;
  Peer server;
};

// A client and a server session, handshake driven to its end (success or failure).
inline std::unique_ptr<Connection> connect_pair(
    const std::shared_ptr<const ServerContext>& server_ctx,
    const std::shared_ptr<const ClientContext>& client_ctx, const std::string& identity,
    SSL_SESSION* resume = nullptr, size_t chunk = std::string::npos) {
  auto server = TlsSession::accept(server_ctx);
  auto client = TlsSession::connect(client_ctx, identity, resume);
  if (!server || !client) return nullptr;
  auto conn =
      std::make_unique<Connection>(Connection{Peer(std::move(*client)), Peer(std::move(*server))});
  if (conn->client.tls.start() == TlsSession::Status::kFailed) conn->client.failed = true;
  pump(conn->client, conn->server, chunk);
  return conn;
}

}  // namespace sipedge::tls::testing
