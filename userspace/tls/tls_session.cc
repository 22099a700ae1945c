#include "tls/tls_session.h"

#include <openssl/err.h>
#include <openssl/x509_vfy.h>

#include "tls/ciphertext_bio.h"
#include "tls/openssl_errors.h"
#include "tls/session_hooks.h"
#include "tls/sip_identity.h"

namespace sipedge::tls {

namespace detail {

// Declaration order matters: `ssl` is destroyed first, while the queues its BIO points at
// still exist.
struct SessionState {
  CiphertextQueues queues;
  std::string pending_plaintext;  // written before the handshake finished
  std::string identity;           // client: the RFC 5922 domain to verify
  std::string failure_detail;
  std::shared_ptr<const ServerContext> server;
  std::shared_ptr<const ClientContext> client;
  SslSessionPtr latest_session;
  FailureReason failure = FailureReason::kNone;
  bool is_client = false;
  bool allow_wildcard = false;
  bool handshake_done = false;
  bool failed = false;
  bool closed = false;         // close_notify or EOF seen from the peer
  bool shutdown_sent = false;  // our close_notify queued
  SslPtr ssl;

  ~SessionState() {
    // SSL_free marks the session unresumable unless close_notify was sent; since TLS 1.1
    // (RFC 4346 §7.2.1) a connection that merely went away may still be resumed, and the
    // router drops idle connections without ceremony. Failed connections stay unresumable.
    if (ssl && handshake_done && !failed) SSL_set_shutdown(ssl.get(), SSL_SENT_SHUTDOWN);
  }
};

}  // namespace detail

using detail::SessionState;

namespace {

// Runs on the client for each certificate of the server's chain; at the leaf it applies the
// RFC 5922 identity check, so a mismatch fails the handshake itself (alert to the server).
int verify_sip_identity(int preverify_ok, X509_STORE_CTX* store) {
  if (preverify_ok != 1) return 0;
  if (X509_STORE_CTX_get_error_depth(store) != 0) return 1;
  auto* ssl =
      static_cast<SSL*>(X509_STORE_CTX_get_ex_data(store, SSL_get_ex_data_X509_STORE_CTX_idx()));
  const auto* state = static_cast<const SessionState*>(SSL_get_app_data(ssl));
  if (state == nullptr || !state->is_client) return 1;
  X509* leaf = X509_STORE_CTX_get_current_cert(store);
  if (certificate_matches_sip_domain(leaf, state->identity, state->allow_wildcard)) return 1;
  X509_STORE_CTX_set_error(store, is_ip_literal(state->identity) ? X509_V_ERR_IP_ADDRESS_MISMATCH
                                                                 : X509_V_ERR_HOSTNAME_MISMATCH);
  return 0;
}

// OpenSSL hands us a reference to each new session; keeping only the newest bounds memory.
int remember_session(SSL* ssl, SSL_SESSION* session) {
  auto* state = static_cast<SessionState*>(SSL_get_app_data(ssl));
  if (state == nullptr) return 0;
  // Bind the session to the identity it was verified for (OpenSSL records the SNI only when
  // the server acknowledges it); connect() offers it to that identity only.
  SSL_SESSION_set1_hostname(session, state->identity.c_str());
  state->latest_session.reset(session);
  return 1;  // we took the reference
}

Expected<std::unique_ptr<SessionState>, std::string> new_state(SSL_CTX* ctx) {
  auto state = std::make_unique<SessionState>();
  state->ssl.reset(SSL_new(ctx));
  if (!state->ssl) return unexpected("SSL_new: " + openssl_error_text());
  BIO* bio = new_ciphertext_bio(&state->queues);
  if (bio == nullptr) return unexpected("BIO_new: " + openssl_error_text());
  // One duplex BIO as both ends; SSL takes its single reference.
  SSL_set_bio(state->ssl.get(), bio, bio);
  SSL_set_app_data(state->ssl.get(), state.get());
  return state;
}

// True when OpenSSL's error is the input ending (clean EOF or "unexpected eof").
bool is_end_of_input(int ssl_error) {
  if (ssl_error == SSL_ERROR_SYSCALL) return ERR_peek_error() == 0;
  const unsigned long e = ERR_peek_error();
  return ssl_error == SSL_ERROR_SSL && ERR_GET_LIB(e) == ERR_LIB_SSL &&
         ERR_GET_REASON(e) == SSL_R_UNEXPECTED_EOF_WHILE_READING;
}

}  // namespace

void install_client_session_hooks(SSL_CTX* ctx) {
  // Sessions live in the router's ClientSessionCache, never in OpenSSL's internal store.
  SSL_CTX_set_session_cache_mode(ctx, SSL_SESS_CACHE_CLIENT | SSL_SESS_CACHE_NO_INTERNAL_STORE);
  SSL_CTX_sess_set_new_cb(ctx, remember_session);
}

TlsSession::TlsSession(std::unique_ptr<SessionState> state) : state_(std::move(state)) {}
TlsSession::TlsSession(TlsSession&&) noexcept = default;
TlsSession& TlsSession::operator=(TlsSession&&) noexcept = default;
TlsSession::~TlsSession() = default;

Expected<TlsSession, std::string> TlsSession::accept(std::shared_ptr<const ServerContext> context) {
  if (!context) return unexpected(std::string("accept: no server context"));
  auto state = new_state(context->native_handle());
  if (!state) return unexpected(state.error());
  SSL_set_accept_state((*state)->ssl.get());
  (*state)->server = std::move(context);
  return TlsSession(std::move(*state));
}

Expected<TlsSession, std::string> TlsSession::connect(std::shared_ptr<const ClientContext> context,
                                                      std::string identity, SSL_SESSION* resume) {
  if (!context) return unexpected(std::string("connect: no client context"));
  if (identity.empty())
    return unexpected(std::string("connect: an identity to verify is required"));
  auto made = new_state(context->native_handle());
  if (!made) return unexpected(made.error());
  std::unique_ptr<SessionState> state = std::move(*made);
  SSL* ssl = state->ssl.get();
  SSL_set_connect_state(ssl);
  SSL_set_verify(ssl, SSL_VERIFY_PEER, verify_sip_identity);
  ERR_clear_error();
  if (!is_ip_literal(identity) && SSL_set_tlsext_host_name(ssl, identity.c_str()) != 1) {
    return unexpected("SNI \"" + identity + "\": " + openssl_error_text());
  }
  // The cache is keyed by identity already; this guards R8 against a mis-keyed offer.
  const char* verified_for = resume ? SSL_SESSION_get0_hostname(resume) : nullptr;
  if (verified_for == nullptr || !dns_name_matches(verified_for, identity, false)) {
    resume = nullptr;
  }
  if (resume != nullptr && SSL_set_session(ssl, resume) != 1) {
    return unexpected("resume session: " + openssl_error_text());
  }
  state->is_client = true;
  state->allow_wildcard = context->allow_wildcard();
  state->identity = std::move(identity);
  state->client = std::move(context);
  return TlsSession(std::move(state));
}

TlsSession::Status TlsSession::fail(FailureReason reason, std::string detail) {
  state_->failed = true;
  state_->failure = reason;
  state_->failure_detail = std::move(detail);
  std::string().swap(state_->pending_plaintext);
  return Status::kFailed;
}

TlsSession::Status TlsSession::fail_from_openssl(int ssl_error) {
  OpenSslErrors errors = drain_openssl_errors();
  const long verify = SSL_get_verify_result(state_->ssl.get());
  std::string detail = std::move(errors.text);
  if (verify != X509_V_OK) {
    if (!detail.empty()) detail += "; ";
    detail += "verify: ";
    detail += X509_verify_cert_error_string(verify);
    if (verify == X509_V_ERR_HOSTNAME_MISMATCH || verify == X509_V_ERR_IP_ADDRESS_MISMATCH) {
      detail += " (identity " + state_->identity + ")";
    }
  }
  // The peer going away mid-handshake shows as a clean EOF (SYSCALL with an empty queue),
  // close_notify (ZERO_RETURN), or OpenSSL's "unexpected eof".
  const bool peer_went_away =
      ssl_error == SSL_ERROR_ZERO_RETURN || (ssl_error == SSL_ERROR_SYSCALL && errors.first == 0) ||
      (ERR_GET_LIB(errors.first_ssl) == ERR_LIB_SSL &&
       ERR_GET_REASON(errors.first_ssl) == SSL_R_UNEXPECTED_EOF_WHILE_READING);
  if (peer_went_away && verify == X509_V_OK) {
    if (detail.empty()) detail = "peer closed the connection during the handshake";
    return fail(FailureReason::kClosed, std::move(detail));
  }
  if (detail.empty()) detail = "SSL error " + std::to_string(ssl_error);
  return fail(classify_failure(errors.first_ssl != 0 ? errors.first_ssl : errors.first, verify),
              std::move(detail));
}

TlsSession::Status TlsSession::drive_handshake() {
  ERR_clear_error();
  const int rc = SSL_do_handshake(state_->ssl.get());
  state_->queues.compact_inbound();
  if (rc != 1) {
    const int err = SSL_get_error(state_->ssl.get(), rc);
    if (err == SSL_ERROR_WANT_READ || err == SSL_ERROR_WANT_WRITE) return Status::kWantMore;
    return fail_from_openssl(err);
  }
  state_->handshake_done = true;
  if (!state_->pending_plaintext.empty()) {
    std::string pending;
    pending.swap(state_->pending_plaintext);
    return write_encrypted(pending);
  }
  return Status::kOk;
}

TlsSession::Status TlsSession::start() {
  if (state_->failed) return Status::kFailed;
  if (!state_->is_client || state_->handshake_done) return Status::kWantMore;
  return drive_handshake();
}

TlsSession::Status TlsSession::feed(std::string_view ciphertext) {
  if (state_->failed) return Status::kFailed;
  if (state_->closed) return Status::kClosed;
  state_->queues.inbound.append(ciphertext);
  if (state_->handshake_done) return Status::kOk;
  return drive_handshake();
}

TlsSession::Status TlsSession::feed_eof() {
  if (state_->failed) return Status::kFailed;
  state_->queues.end_of_input = true;
  if (state_->handshake_done) {
    state_->closed = true;
    return Status::kClosed;
  }
  const Status s = drive_handshake();
  if (s == Status::kFailed) return s;
  // EOF right after the last handshake record: still a connection that is now closed.
  if (state_->handshake_done) {
    state_->closed = true;
    return Status::kClosed;
  }
  return fail(FailureReason::kClosed, "peer closed the connection during the handshake");
}

TlsSession::Status TlsSession::read(std::string* plaintext) {
  if (state_->failed) return Status::kFailed;
  if (!state_->handshake_done) {
    const Status s = drive_handshake();
    if (s != Status::kOk) return s;
  }
  SSL* ssl = state_->ssl.get();
  const size_t before = plaintext->size();
  char buf[16384];  // one TLS record's worth of plaintext
  Status result = Status::kWantMore;
  for (;;) {
    ERR_clear_error();
    size_t got = 0;
    const int rc = SSL_read_ex(ssl, buf, sizeof buf, &got);
    if (rc == 1) {
      plaintext->append(buf, got);
      continue;
    }
    const int err = SSL_get_error(ssl, rc);
    if (err == SSL_ERROR_WANT_READ || err == SSL_ERROR_WANT_WRITE) {
      result = plaintext->size() > before ? Status::kOk : Status::kWantMore;
      break;
    }
    if (err == SSL_ERROR_ZERO_RETURN || (state_->queues.end_of_input && is_end_of_input(err))) {
      ERR_clear_error();
      state_->closed = true;
      result = Status::kClosed;
      break;
    }
    result = fail_from_openssl(err);
    break;
  }
  state_->queues.compact_inbound();
  return result;
}

TlsSession::Status TlsSession::write_encrypted(std::string_view plaintext) {
  SSL* ssl = state_->ssl.get();
  while (!plaintext.empty()) {
    ERR_clear_error();
    size_t written = 0;
    const int rc = SSL_write_ex(ssl, plaintext.data(), plaintext.size(), &written);
    if (rc != 1) return fail_from_openssl(SSL_get_error(ssl, rc));
    plaintext.remove_prefix(written);
  }
  return Status::kOk;
}

TlsSession::Status TlsSession::write(std::string_view plaintext) {
  if (state_->failed) return Status::kFailed;
  if (state_->shutdown_sent) return Status::kClosed;
  if (!state_->handshake_done) {
    state_->pending_plaintext.append(plaintext);
    return Status::kOk;
  }
  return write_encrypted(plaintext);
}

size_t TlsSession::take_ciphertext(std::string* out) { return state_->queues.take_outbound(out); }

size_t TlsSession::pending_ciphertext() const { return state_->queues.outbound.size(); }

void TlsSession::shutdown() {
  if (state_->shutdown_sent) return;
  state_->shutdown_sent = true;
  std::string().swap(state_->pending_plaintext);
  if (state_->handshake_done && !state_->failed) {
    ERR_clear_error();
    SSL_shutdown(state_->ssl.get());  // queues close_notify; the peer's reply is not awaited
    ERR_clear_error();
  }
}

bool TlsSession::handshake_done() const { return state_->handshake_done; }

FailureReason TlsSession::failure() const { return state_->failure; }

const std::string& TlsSession::failure_detail() const { return state_->failure_detail; }

std::string_view TlsSession::version() const {
  return state_->handshake_done ? std::string_view(SSL_get_version(state_->ssl.get()))
                                : std::string_view();
}

bool TlsSession::resumed() const {
  return state_->handshake_done && SSL_session_reused(state_->ssl.get()) == 1;
}

SSL_SESSION* TlsSession::session_for_resumption() const { return state_->latest_session.get(); }

bool TlsSession::peer_certificate_verified() const {
  return state_->handshake_done && SSL_get0_peer_certificate(state_->ssl.get()) != nullptr &&
         SSL_get_verify_result(state_->ssl.get()) == X509_V_OK;
}

X509* TlsSession::peer_certificate() const { return SSL_get0_peer_certificate(state_->ssl.get()); }

std::string_view TlsSession::server_name() const {
  if (state_->is_client) return {};
  const char* name = SSL_get_servername(state_->ssl.get(), TLSEXT_NAMETYPE_host_name);
  return name == nullptr ? std::string_view() : std::string_view(name);
}

const std::string& TlsSession::identity() const { return state_->identity; }

}  // namespace sipedge::tls
