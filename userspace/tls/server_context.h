// A TLS listener's configuration made live: certificate, key, client-certificate policy.
// Immutable once built and shared (shared_ptr) by every connection accepted with it, so a
// reload builds a new one while connections made from the old one carry on untouched.
#pragma once

#include <openssl/ssl.h>

#include <cstdint>
#include <memory>
#include <string>

#include "sipedge/expected.h"
#include "tls/openssl_handles.h"
#include "tls/tls_config.h"

namespace sipedge::tls {

class ServerContext {
 public:
  // Loads the files and applies the policy; the error names the file or option and carries
  // OpenSSL's reason (missing file, bad PEM, key not matching the certificate, ...).
  static Expected<std::shared_ptr<const ServerContext>, std::string> create(
      const ServerConfig& config);

  // Unix seconds of the leaf certificate's notAfter (the expiry metric).
  int64_t certificate_not_after() const { return not_after_; }
  // The certificate file this context was built from.
  const std::string& certificate_path() const { return certificate_path_; }
  // Whether client certificates are asked for.
  ClientCertMode client_cert_mode() const { return client_cert_; }
  // The OpenSSL context, for TlsSession; nothing may modify it.
  SSL_CTX* native_handle() const { return ctx_.get(); }

 private:
  ServerContext() = default;

  SslCtxPtr ctx_;
  std::string certificate_path_;
  int64_t not_after_ = 0;
  ClientCertMode client_cert_ = ClientCertMode::kNone;
};

}  // namespace sipedge::tls
