#include "tls/client_context.h"

#include "tls/certificate_info.h"
#include "tls/context_setup.h"
#include "tls/openssl_errors.h"
#include "tls/session_hooks.h"

namespace sipedge::tls {

Expected<std::shared_ptr<const ClientContext>, std::string> ClientContext::create(
    const ClientConfig& config) {
  SslCtxPtr ctx(SSL_CTX_new(TLS_client_method()));
  if (!ctx) return unexpected("SSL_CTX_new: " + openssl_error_text());
  if (auto ok = apply_protocol_policy(ctx.get(), config.min_version, config.max_version,
                                      config.ciphers, config.ciphersuites);
      !ok) {
    return unexpected(ok.error());
  }
  if (auto ok = load_trusted_cas(ctx.get(), config.ca); !ok) return unexpected(ok.error());
  if (config.certificate.empty() != config.key.empty()) {
    return unexpected(std::string("client certificate and key must be set together"));
  }
  if (!config.certificate.empty()) {
    if (auto ok = load_certificate_and_key(ctx.get(), config.certificate, config.key); !ok) {
      return unexpected(ok.error());
    }
  }
  if (config.session_tickets) {
    install_client_session_hooks(ctx.get());
  } else {
    SSL_CTX_set_options(ctx.get(), SSL_OP_NO_TICKET);
    SSL_CTX_set_session_cache_mode(ctx.get(), SSL_SESS_CACHE_OFF);
  }

  std::shared_ptr<ClientContext> out(new ClientContext());
  if (!config.certificate.empty()) {
    out->not_after_ = tls::certificate_not_after(SSL_CTX_get0_certificate(ctx.get()));
    out->certificate_path_ = config.certificate;
  }
  out->ctx_ = std::move(ctx);
  out->allow_wildcard_ = config.allow_wildcard;
  out->session_tickets_ = config.session_tickets;
  return std::shared_ptr<const ClientContext>(std::move(out));
}

}  // namespace sipedge::tls
