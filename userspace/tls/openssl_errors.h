// OpenSSL reports errors through a per-thread queue; this turns the queue into one value.
#pragma once

#include <string>

namespace sipedge::tls {

struct OpenSslErrors {
  unsigned long first_ssl =
      0;                    // the first error from libssl (0 if none): what classification reads
  unsigned long first = 0;  // the first error of any library (0 if the queue was empty)
  std::string text;         // every queued error, "; "-separated, readable
};

// Empties this thread's OpenSSL error queue into one value.
OpenSslErrors drain_openssl_errors();

// The queued errors as text ("unknown OpenSSL error" when the queue is empty); empties the queue.
std::string openssl_error_text();

}  // namespace sipedge::tls
