// The SSL_CTX settings a server and a client context share: protocol versions, cipher policy,
// certificate + key, CA bundle, and the memory settings that keep idle connections small.
// Every error names the file or option and carries OpenSSL's reason.
#pragma once

#include <openssl/ssl.h>

#include <string>

#include "sipedge/expected.h"

namespace sipedge::tls {

// Applies versions ("1.2"/"1.3"; max may be ""), the TLS 1.2 cipher list (empty = default
// minus weak) and the TLS 1.3 suites (empty = default), renegotiation off, buffers released
// while idle.
Expected<bool, std::string> apply_protocol_policy(SSL_CTX* ctx, const std::string& min_version,
                                                  const std::string& max_version,
                                                  const std::string& ciphers,
                                                  const std::string& ciphersuites);

// Loads a PEM certificate chain and its key and checks that they belong together.
Expected<bool, std::string> load_certificate_and_key(SSL_CTX* ctx, const std::string& certificate,
                                                     const std::string& key);

// Trusts the PEM bundle (or directory) `ca`; an empty path trusts the system default paths.
Expected<bool, std::string> load_trusted_cas(SSL_CTX* ctx, const std::string& ca);

}  // namespace sipedge::tls
