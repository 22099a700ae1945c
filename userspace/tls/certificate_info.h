// Facts about a certificate that operations needs (expiry metric) without touching OpenSSL.
#pragma once

#include <openssl/x509.h>

#include <cstdint>
#include <string>

namespace sipedge::tls {

// Unix seconds of the certificate's notAfter; 0 when `cert` is null or the time is unreadable.
int64_t certificate_not_after(const X509* cert);

// Unix seconds of the certificate's notBefore; 0 when `cert` is null or the time is unreadable.
int64_t certificate_not_before(const X509* cert);

// The subject as a one-line string ("CN=example.com, O=..."), for logs; "" for null.
std::string certificate_subject(const X509* cert);

}  // namespace sipedge::tls
