#include "tls/ciphertext_bio.h"

#include <algorithm>
#include <cstring>

namespace sipedge::tls {

void CiphertextQueues::compact_inbound() {
  if (inbound_read == 0) return;
  if (inbound_read >= inbound.size()) {
    std::string().swap(inbound);
  } else {
    inbound.erase(0, inbound_read);
  }
  inbound_read = 0;
}

size_t CiphertextQueues::take_outbound(std::string* out) {
  const size_t n = outbound.size();
  if (n == 0) return 0;
  if (out->empty() && out->capacity() < n) {
    out->swap(outbound);  // no copy when the caller's buffer would have to grow anyway
  } else {
    out->append(outbound);
  }
  std::string().swap(outbound);
  return n;
}

namespace {

CiphertextQueues* queues_of(BIO* bio) { return static_cast<CiphertextQueues*>(BIO_get_data(bio)); }

int bio_write(BIO* bio, const char* data, size_t len, size_t* written) {
  queues_of(bio)->outbound.append(data, len);
  *written = len;
  return 1;
}

int bio_read(BIO* bio, char* data, size_t len, size_t* read) {
  CiphertextQueues* q = queues_of(bio);
  BIO_clear_retry_flags(bio);
  const size_t n = std::min(len, q->inbound_pending());
  *read = n;
  if (n == 0) {
    // No retry flag at EOF: OpenSSL then reports the peer's close instead of "want read".
    if (!q->end_of_input) BIO_set_retry_read(bio);
    return 0;
  }
  std::memcpy(data, q->inbound.data() + q->inbound_read, n);
  q->inbound_read += n;
  return 1;
}

long bio_ctrl(BIO* bio, int cmd, long num, void*) {
  CiphertextQueues* q = queues_of(bio);
  switch (cmd) {
    case BIO_CTRL_FLUSH:
      return 1;
    case BIO_CTRL_PENDING:
      return static_cast<long>(q->inbound_pending());
    case BIO_CTRL_WPENDING:
      return static_cast<long>(q->outbound.size());
    case BIO_CTRL_EOF:
      return q->end_of_input && q->inbound_pending() == 0;
    case BIO_CTRL_GET_CLOSE:
      return BIO_get_shutdown(bio);
    case BIO_CTRL_SET_CLOSE:
      BIO_set_shutdown(bio, static_cast<int>(num));
      return 1;
    default:
      return 0;
  }
}

int bio_create(BIO* bio) {
  BIO_set_init(bio, 1);
  return 1;
}

const BIO_METHOD* ciphertext_bio_method() {
  // Built once per process; OpenSSL's method objects are immutable and thread-safe to share.
  static BIO_METHOD* const method = [] {
    BIO_METHOD* m = BIO_meth_new(BIO_get_new_index() | BIO_TYPE_SOURCE_SINK, "sipedge ciphertext");
    BIO_meth_set_write_ex(m, bio_write);
    BIO_meth_set_read_ex(m, bio_read);
    BIO_meth_set_ctrl(m, bio_ctrl);
    BIO_meth_set_create(m, bio_create);
    return m;
  }();
  return method;
}

}  // namespace

BIO* new_ciphertext_bio(CiphertextQueues* queues) {
  BIO* bio = BIO_new(ciphertext_bio_method());
  if (bio != nullptr) BIO_set_data(bio, queues);
  return bio;
}

}  // namespace sipedge::tls
