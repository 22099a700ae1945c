// One TLS connection driven entirely in memory: the router reads ciphertext from the socket
// and feed()s it, sends whatever take_ciphertext() returns, and moves plaintext with read()
// and write(). Nothing here touches a socket or blocks, so handshakes never stall a worker.
//
// After every call that may produce output (start, feed, read, write, shutdown) the caller
// sends take_ciphertext(): handshake records, alerts and data all come out there.
#pragma once

#include <openssl/ssl.h>

#include <memory>
#include <string>
#include <string_view>

#include "sipedge/expected.h"
#include "tls/client_context.h"
#include "tls/failure_reason.h"
#include "tls/server_context.h"

namespace sipedge::tls {

namespace detail {
struct SessionState;
}

class TlsSession {
 public:
  enum class Status {
    kOk,        // progress made (handshake done / data accepted or produced)
    kWantMore,  // nothing more to do until more ciphertext arrives
    kFailed,    // the connection is dead; failure() says why
    kClosed,    // the peer sent close_notify or the socket reached EOF after the handshake
  };

  // A server-side connection accepted with `context` (kept alive by the session).
  static Expected<TlsSession, std::string> accept(std::shared_ptr<const ServerContext> context);

  // A client-side connection. `identity` is the RFC 5922 domain the server certificate must
  // name — the domain of the URI that was resolved, NOT the SRV target (R8) — and the SNI
  // (not sent for an IP literal). `resume` (may be null; not consumed) offers a session from
  // an earlier connection to the same (address, port, identity); one made for another
  // identity is not offered, since a resumed handshake re-checks no certificate.
  static Expected<TlsSession, std::string> connect(std::shared_ptr<const ClientContext> context,
                                                   std::string identity, SSL_SESSION* resume);

  TlsSession(TlsSession&&) noexcept;
  TlsSession& operator=(TlsSession&&) noexcept;
  ~TlsSession();

  // Client: produces the ClientHello (kWantMore). Server: nothing to do (kWantMore).
  Status start();
  // Queues bytes read from the socket and drives the handshake: kWantMore until it is done,
  // then kOk (call read() to get any application data that came along).
  Status feed(std::string_view ciphertext);
  // The socket reached EOF: kFailed with kClosed mid-handshake, kClosed after it. Call read()
  // before this to collect data that arrived with the EOF.
  Status feed_eof();
  // Appends decrypted application data: kOk when some was appended, kWantMore when no whole
  // record is buffered, kClosed at close_notify (data before it is still appended).
  Status read(std::string* plaintext);
  // Encrypts `plaintext`; before the handshake is done it is queued and flushed at its end.
  // kOk when accepted, kFailed/kClosed when the connection cannot carry it.
  Status write(std::string_view plaintext);
  // Appends everything OpenSSL wants sent to `out`; returns the number of bytes appended.
  size_t take_ciphertext(std::string* out);
  // Bytes waiting for take_ciphertext() (the router arms a write poll while non-zero).
  size_t pending_ciphertext() const;
  // Queues close_notify (after the handshake); later write()s return kClosed.
  void shutdown();

  // True once the handshake has completed successfully.
  bool handshake_done() const;
  // Why the connection failed (kNone until a kFailed).
  FailureReason failure() const;
  // OpenSSL's errors and the verification result as readable text ("" until a kFailed).
  const std::string& failure_detail() const;
  // "TLSv1.2" / "TLSv1.3" once the handshake is done, "" before.
  std::string_view version() const;
  // True when the handshake resumed an earlier session (abbreviated handshake).
  bool resumed() const;
  // Borrowed: the newest session/ticket this client connection received (TLS 1.3 tickets
  // arrive after the handshake, during read()); null on the server or before any arrived.
  SSL_SESSION* session_for_resumption() const;
  // True when the peer presented a certificate and it verified (server: a client cert).
  bool peer_certificate_verified() const;
  // Borrowed: the peer's leaf certificate, null if none.
  X509* peer_certificate() const;
  // Server: the SNI the client sent ("" when none). Client: "".
  std::string_view server_name() const;
  // The identity this client connection verifies against ("" on the server).
  const std::string& identity() const;

 private:
  explicit TlsSession(std::unique_ptr<detail::SessionState> state);

  Status drive_handshake();
  Status fail_from_openssl(int ssl_error);
  Status fail(FailureReason reason, std::string detail);
  Status write_encrypted(std::string_view plaintext);

  // Heap-held so OpenSSL's callbacks and the BIO keep a stable pointer across moves.
  std::unique_ptr<detail::SessionState> state_;
};

}  // namespace sipedge::tls
