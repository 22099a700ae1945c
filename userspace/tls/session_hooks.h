// Internal: the SSL_CTX callback through which a client connection learns its session (and,
// in TLS 1.3, the tickets that arrive after the handshake). Implemented beside TlsSession.
#pragma once

#include <openssl/ssl.h>

namespace sipedge::tls {

// Makes every connection built on `ctx` keep the newest session it was given.
void install_client_session_hooks(SSL_CTX* ctx);

}  // namespace sipedge::tls
