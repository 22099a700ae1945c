// The memory BIO between OpenSSL and the router: OpenSSL reads the ciphertext the router fed
// from `inbound` and appends what it wants sent to `outbound`. Both are plain strings the
// session owns and empties (capacity released) as soon as they are drained, so an idle
// connection holds no buffer at all; one duplex BIO serves as both SSL rbio and wbio.
#pragma once

#include <openssl/bio.h>

#include <string>

namespace sipedge::tls {

struct CiphertextQueues {
  std::string inbound;        // fed by the router, read by OpenSSL from `inbound_read` on
  size_t inbound_read = 0;    // bytes of `inbound` OpenSSL has consumed
  std::string outbound;       // written by OpenSSL, taken by the router
  bool end_of_input = false;  // the socket reached EOF: reads past the data report EOF

  size_t inbound_pending() const { return inbound.size() - inbound_read; }
  // Drops consumed input; frees the buffer when nothing is left (idle connections stay small).
  void compact_inbound();
  // Moves everything queued for sending to the end of `out`; frees the buffer. Returns bytes.
  size_t take_outbound(std::string* out);
};

// A new BIO over `queues`, which must outlive it; null if OpenSSL is out of memory.
BIO* new_ciphertext_bio(CiphertextQueues* queues);

}  // namespace sipedge::tls
