#include "tls/certificate_info.h"

#include <openssl/asn1.h>
#include <openssl/bio.h>

#include <ctime>

#include "tls/openssl_handles.h"

namespace sipedge::tls {

namespace {

int64_t unix_seconds(const ASN1_TIME* t) {
  if (t == nullptr) return 0;
  std::tm tm{};
  if (ASN1_TIME_to_tm(t, &tm) != 1) return 0;
  return static_cast<int64_t>(timegm(&tm));
}

}  // namespace

int64_t certificate_not_after(const X509* cert) {
  return cert == nullptr ? 0 : unix_seconds(X509_get0_notAfter(cert));
}

int64_t certificate_not_before(const X509* cert) {
  return cert == nullptr ? 0 : unix_seconds(X509_get0_notBefore(cert));
}

std::string certificate_subject(const X509* cert) {
  if (cert == nullptr) return {};
  BioPtr bio(BIO_new(BIO_s_mem()));
  if (!bio) return {};
  X509_NAME_print_ex(bio.get(), X509_get_subject_name(cert), 0, XN_FLAG_ONELINE);
  char* data = nullptr;
  const long len = BIO_get_mem_data(bio.get(), &data);
  return len > 0 ? std::string(data, static_cast<size_t>(len)) : std::string();
}

}  // namespace sipedge::tls
