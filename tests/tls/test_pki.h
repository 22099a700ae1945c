// A throw-away PKI for the TLS tests: CAs, server and client certificates with the names and
// validity periods each case needs, written as PEM into a temporary directory that is removed
// at exit. Keys are EC P-256 made on the fly; nothing is checked in.
#pragma once

#include <cstdint>
#include <ctime>
#include <string>
#include <list>
#include <vector>

#include "tls/openssl_handles.h"

namespace sipedge::tls::testing {

struct CertificateSpec {
  std::string common_name;
  std::vector<std::string> subject_alt_names;  // OpenSSL syntax: "DNS:x", "URI:sip:x", "IP:1.2.3.4"
  int64_t not_before = std::time(nullptr) - 3600;
  int64_t not_after = std::time(nullptr) + 30 * 86400;
  bool is_ca = false;
};

struct IssuedCertificate {
  std::string certificate_path;  // PEM certificate
  std::string key_path;          // PEM private key
  X509Ptr certificate;
  EvpPkeyPtr key;
};

class TestPki {
 public:
  TestPki();
  ~TestPki();
  TestPki(const TestPki&) = delete;
  TestPki& operator=(const TestPki&) = delete;

  // A self-signed CA named `name` (its PEM is the trust bundle at certificate_path).
  const IssuedCertificate& make_ca(const std::string& name);
  // A leaf certificate `name` from `spec`, signed by `issuer` (a CA made above).
  const IssuedCertificate& issue(const std::string& name, const CertificateSpec& spec,
                                 const IssuedCertificate& issuer);
  // A certificate made earlier.
  const IssuedCertificate& get(const std::string& name) const;
  // A file in the temporary directory with `content`; returns its path.
  std::string write_file(const std::string& name, const std::string& content) const;
  const std::string& dir() const { return dir_; }

 private:
  const IssuedCertificate& build(const std::string& name, const CertificateSpec& spec,
                                 const IssuedCertificate* issuer);

  std::string dir_;
  std::list<std::pair<std::string, IssuedCertificate>> certificates_;  // stable references
};

// The certificates every TLS test uses, made once per process: CA "ca" and "other_ca"; server
// certificates for example.com ("domain", "srv_target", "uri", "uri_user", "cn_only",
// "cn_with_san", "wildcard", "expired", "not_yet_valid", "other_ca_leaf", "ip", "mixed_case");
// client certificates ("client", "client_expired", "client_other_ca").
TestPki& shared_pki();

}  // namespace sipedge::tls::testing
