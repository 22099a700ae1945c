#include "test_pki.h"

#include <openssl/pem.h>
#include <openssl/rand.h>
#include <openssl/x509v3.h>

#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <stdexcept>

namespace sipedge::tls::testing {

namespace {

void check(bool ok, const char* what) {
  if (!ok) throw std::runtime_error(std::string("test PKI: ") + what);
}

void add_extension(X509* cert, X509* issuer, int nid, const std::string& value) {
  X509V3_CTX ctx;
  X509V3_set_ctx_nodb(&ctx);
  X509V3_set_ctx(&ctx, issuer, cert, nullptr, nullptr, 0);
  X509_EXTENSION* ext = X509V3_EXT_conf_nid(nullptr, &ctx, nid, value.c_str());
  check(ext != nullptr, "extension");
  X509_add_ext(cert, ext, -1);
  X509_EXTENSION_free(ext);
}

void write_pem(const std::string& path, X509* cert) {
  FILE* f = std::fopen(path.c_str(), "w");
  check(f != nullptr, "open cert file");
  PEM_write_X509(f, cert);
  std::fclose(f);
}

void write_pem(const std::string& path, EVP_PKEY* key) {
  FILE* f = std::fopen(path.c_str(), "w");
  check(f != nullptr, "open key file");
  PEM_write_PrivateKey(f, key, nullptr, nullptr, 0, nullptr, nullptr);
  std::fclose(f);
}

}  // namespace

TestPki::TestPki() {
  char tmpl[] = "/tmp/sipedge-tls-test-XXXXXX";
  check(mkdtemp(tmpl) != nullptr, "mkdtemp");
  dir_ = tmpl;
}

TestPki::~TestPki() {
  std::error_code ec;
  std::filesystem::remove_all(dir_, ec);
}

const IssuedCertificate& TestPki::make_ca(const std::string& name) {
  CertificateSpec spec;
  spec.common_name = name;
  spec.is_ca = true;
  return build(name, spec, nullptr);
}

const IssuedCertificate& TestPki::issue(const std::string& name, const CertificateSpec& spec,
                                        const IssuedCertificate& issuer) {
  return build(name, spec, &issuer);
}

const IssuedCertificate& TestPki::get(const std::string& name) const {
  for (const auto& [n, c] : certificates_) {
    if (n == name) return c;
  }
  throw std::runtime_error("test PKI: no certificate " + name);
}

std::string TestPki::write_file(const std::string& name, const std::string& content) const {
  const std::string path = dir_ + "/" + name;
  std::ofstream(path) << content;
  return path;
}

const IssuedCertificate& TestPki::build(const std::string& name, const CertificateSpec& spec,
                                        const IssuedCertificate* issuer) {
  IssuedCertificate out;
  out.key.reset(EVP_PKEY_Q_keygen(nullptr, nullptr, "EC", "P-256"));
  check(out.key != nullptr, "keygen");
  out.certificate.reset(X509_new());
  X509* cert = out.certificate.get();
  X509_set_version(cert, 2);
  unsigned char serial[8];
  RAND_bytes(serial, sizeof serial);
  serial[0] &= 0x7f;
  BIGNUM* bn = BN_bin2bn(serial, sizeof serial, nullptr);
  BN_to_ASN1_INTEGER(bn, X509_get_serialNumber(cert));
  BN_free(bn);
  ASN1_TIME_set(X509_getm_notBefore(cert), static_cast<time_t>(spec.not_before));
  ASN1_TIME_set(X509_getm_notAfter(cert), static_cast<time_t>(spec.not_after));
  X509_set_pubkey(cert, out.key.get());
  X509_NAME* subject = X509_get_subject_name(cert);
  if (!spec.common_name.empty()) {
    X509_NAME_add_entry_by_txt(subject, "CN", MBSTRING_UTF8,
                               reinterpret_cast<const unsigned char*>(spec.common_name.c_str()), -1,
                               -1, 0);
  } else {
    X509_NAME_add_entry_by_txt(subject, "O", MBSTRING_UTF8,
                               reinterpret_cast<const unsigned char*>("sipedge test"), -1, -1, 0);
  }
  X509* signer_cert = issuer ? issuer->certificate.get() : cert;
  EVP_PKEY* signer_key = issuer ? issuer->key.get() : out.key.get();
  X509_set_issuer_name(cert, X509_get_subject_name(signer_cert));
  add_extension(cert, signer_cert, NID_subject_key_identifier, "hash");
  if (spec.is_ca) {
    add_extension(cert, signer_cert, NID_basic_constraints, "critical,CA:TRUE");
    add_extension(cert, signer_cert, NID_key_usage, "critical,keyCertSign,cRLSign");
  } else {
    add_extension(cert, signer_cert, NID_authority_key_identifier, "keyid");
    add_extension(cert, signer_cert, NID_basic_constraints, "CA:FALSE");
    add_extension(cert, signer_cert, NID_ext_key_usage, "serverAuth,clientAuth");
    if (!spec.subject_alt_names.empty()) {
      std::string sans;
      for (const auto& san : spec.subject_alt_names) sans += (sans.empty() ? "" : ",") + san;
      add_extension(cert, signer_cert, NID_subject_alt_name, sans);
    }
  }
  check(X509_sign(cert, signer_key, EVP_sha256()) > 0, "sign");
  out.certificate_path = dir_ + "/" + name + ".crt";
  out.key_path = dir_ + "/" + name + ".key";
  write_pem(out.certificate_path, cert);
  write_pem(out.key_path, out.key.get());
  certificates_.emplace_back(name, std::move(out));
  return certificates_.back().second;
}

TestPki& shared_pki() {
  static TestPki pki;
  static const bool made = [] {
    const int64_t now = std::time(nullptr);
    const auto& ca = pki.make_ca("ca");
    const auto& other_ca = pki.make_ca("other_ca");
    auto leaf = [](std::string cn, std::vector<std::string> sans) {
      CertificateSpec spec;
      spec.common_name = std::move(cn);
      spec.subject_alt_names = std::move(sans);
      return spec;
    };
    pki.issue("domain", leaf("example.com", {"DNS:example.com"}), ca);
    pki.issue("srv_target", leaf("sip1.example.net", {"DNS:sip1.example.net"}), ca);
    pki.issue("uri", leaf("", {"URI:sip:example.com"}), ca);
    pki.issue("uri_user", leaf("", {"URI:sip:user@example.com"}), ca);
    pki.issue("cn_only", leaf("example.com", {}), ca);
    pki.issue("cn_with_san", leaf("example.com", {"DNS:other.example.org"}), ca);
    pki.issue("wildcard", leaf("", {"DNS:*.example.com"}), ca);
    CertificateSpec expired = leaf("example.com", {"DNS:example.com"});
    expired.not_before = now - 30 * 86400;
    expired.not_after = now - 86400;
    pki.issue("expired", expired, ca);
    CertificateSpec future = leaf("example.com", {"DNS:example.com"});
    future.not_before = now + 86400;
    future.not_after = now + 30 * 86400;
    pki.issue("not_yet_valid", future, ca);
    pki.issue("other_ca_leaf", leaf("example.com", {"DNS:example.com"}), other_ca);
    pki.issue("ip", leaf("", {"IP:127.0.0.1", "IP:2001:db8::1"}), ca);
    pki.issue("mixed_case", leaf("", {"DNS:Example.COM", "URI:SIP:Sip.Example.ORG"}), ca);
    pki.issue("client", leaf("carrier.example.org", {"DNS:carrier.example.org"}), ca);
    CertificateSpec client_expired = leaf("carrier.example.org", {"DNS:carrier.example.org"});
    client_expired.not_before = now - 30 * 86400;
    client_expired.not_after = now - 86400;
    pki.issue("client_expired", client_expired, ca);
    pki.issue("client_other_ca", leaf("carrier.example.org", {"DNS:carrier.example.org"}),
              other_ca);
    return true;
  }();
  (void)made;
  return pki;
}

}  // namespace sipedge::tls::testing
