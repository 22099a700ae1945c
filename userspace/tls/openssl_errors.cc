#include "tls/openssl_errors.h"

#include <openssl/err.h>

namespace sipedge::tls {

OpenSslErrors drain_openssl_errors() {
  OpenSslErrors out;
  char buf[256];
  while (unsigned long e = ERR_get_error()) {
    if (out.first == 0) out.first = e;
    if (out.first_ssl == 0 && ERR_GET_LIB(e) == ERR_LIB_SSL) out.first_ssl = e;
    ERR_error_string_n(e, buf, sizeof buf);
    if (!out.text.empty()) out.text += "; ";
    out.text += buf;
  }
  return out;
}

std::string openssl_error_text() {
  OpenSslErrors e = drain_openssl_errors();
  return e.text.empty() ? std::string("unknown OpenSSL error") : std::move(e.text);
}

}  // namespace sipedge::tls
