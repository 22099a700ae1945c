#include "tls/server_context.h"

#include "tls/certificate_info.h"
#include "tls/context_setup.h"
#include "tls/openssl_errors.h"

namespace sipedge::tls {

namespace {

constexpr unsigned char kSessionIdContext[] = "sipedge";

int verify_mode(ClientCertMode mode) {
  switch (mode) {
    case ClientCertMode::kNone:
      return SSL_VERIFY_NONE;
    case ClientCertMode::kRequest:
      return SSL_VERIFY_PEER | SSL_VERIFY_CLIENT_ONCE;
    case ClientCertMode::kRequire:
      return SSL_VERIFY_PEER | SSL_VERIFY_FAIL_IF_NO_PEER_CERT | SSL_VERIFY_CLIENT_ONCE;
  }
  return SSL_VERIFY_NONE;
}

Expected<bool, std::string> configure_client_certificates(SSL_CTX* ctx, const ServerConfig& c) {
  if (c.client_cert == ClientCertMode::kNone) return true;
  if (c.ca.empty()) {
    return unexpected(std::string("client certificates are requested but no CA file is set"));
  }
  if (auto ok = load_trusted_cas(ctx, c.ca); !ok) return ok;
  // The CertificateRequest names the acceptable CAs so a client with several certificates
  // picks the right one.
  if (STACK_OF(X509_NAME)* names = SSL_load_client_CA_file(c.ca.c_str())) {
    SSL_CTX_set_client_CA_list(ctx, names);
  }
  SSL_CTX_set_verify(ctx, verify_mode(c.client_cert), nullptr);
  return true;
}

}  // namespace

Expected<std::shared_ptr<const ServerContext>, std::string> ServerContext::create(
    const ServerConfig& config) {
  SslCtxPtr ctx(SSL_CTX_new(TLS_server_method()));
  if (!ctx) return unexpected("SSL_CTX_new: " + openssl_error_text());
  if (auto ok = apply_protocol_policy(ctx.get(), config.min_version, config.max_version,
                                      config.ciphers, config.ciphersuites);
      !ok) {
    return unexpected(ok.error());
  }
  if (auto ok = load_certificate_and_key(ctx.get(), config.certificate, config.key); !ok) {
    return unexpected(ok.error());
  }
  if (auto ok = configure_client_certificates(ctx.get(), config); !ok) {
    return unexpected(ok.error());
  }
  // Resumption is by stateless tickets (TLS 1.2 and 1.3): no server-side session store that
  // grows with the number of clients. The id context is needed to resume verified clients.
  SSL_CTX_set_session_cache_mode(ctx.get(), SSL_SESS_CACHE_OFF);
  SSL_CTX_set_session_id_context(ctx.get(), kSessionIdContext, sizeof kSessionIdContext - 1);
  SSL_CTX_set_num_tickets(ctx.get(), 1);

  std::shared_ptr<ServerContext> out(new ServerContext());
  out->not_after_ = tls::certificate_not_after(SSL_CTX_get0_certificate(ctx.get()));
  out->ctx_ = std::move(ctx);
  out->certificate_path_ = config.certificate;
  out->client_cert_ = config.client_cert;
  return std::shared_ptr<const ServerContext>(std::move(out));
}

}  // namespace sipedge::tls
