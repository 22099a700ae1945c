// The outgoing side's TLS configuration made live: trusted CAs, optional client certificate,
// wildcard policy, ticket memory. Immutable and shared by every outgoing connection.
#pragma once

#include <openssl/ssl.h>

#include <cstdint>
#include <memory>
#include <string>

#include "sipedge/expected.h"
#include "tls/openssl_handles.h"
#include "tls/tls_config.h"

namespace sipedge::tls {

class ClientContext {
 public:
  // Loads the CA bundle (system paths when empty) and the optional certificate + key; the
  // error names the file or option and carries OpenSSL's reason.
  static Expected<std::shared_ptr<const ClientContext>, std::string> create(
      const ClientConfig& config);

  // Unix seconds of our client certificate's notAfter; 0 when we have none.
  int64_t certificate_not_after() const { return not_after_; }
  // Our client certificate file; "" when we have none.
  const std::string& certificate_path() const { return certificate_path_; }
  // Whether "*.example.com" may match (not RFC 5922; a per-deployment choice).
  bool allow_wildcard() const { return allow_wildcard_; }
  // Whether sessions are remembered for resumption.
  bool session_tickets() const { return session_tickets_; }
  // The OpenSSL context, for TlsSession; nothing may modify it.
  SSL_CTX* native_handle() const { return ctx_.get(); }

 private:
  ClientContext() = default;

  SslCtxPtr ctx_;
  std::string certificate_path_;
  int64_t not_after_ = 0;
  bool allow_wildcard_ = false;
  bool session_tickets_ = true;
};

}  // namespace sipedge::tls
