// What a TLS listener (ServerConfig) and the outgoing side (ClientConfig) are built from.
// Paths are PEM files; versions are "1.2" or "1.3".
#pragma once

#include <cstdint>
#include <string>

namespace sipedge::tls {

// Whether a listener asks the client for a certificate (mutual TLS between carrier peers).
enum class ClientCertMode : uint8_t {
  kNone,     // no CertificateRequest
  kRequest,  // asked for; a certificate sent must verify, none at all is accepted
  kRequire,  // a verified client certificate is mandatory
};

struct ServerConfig {
  std::string certificate;  // PEM chain file: leaf first, then intermediates
  std::string key;          // PEM private key matching the leaf
  std::string ca;           // PEM bundle that client certificates must chain to; may be empty
  std::string min_version = "1.2";
  std::string max_version;   // "" = newest OpenSSL offers; "1.2" pins old peers (and tests)
  std::string ciphers;       // TLS 1.2 list; empty = OpenSSL's default minus weak suites
  std::string ciphersuites;  // TLS 1.3 list; empty = OpenSSL's default
  ClientCertMode client_cert = ClientCertMode::kNone;
};

struct ClientConfig {
  std::string ca;           // PEM bundle servers must chain to; empty = system default paths
  std::string certificate;  // optional: our certificate chain for mutual TLS
  std::string key;          // optional: its key (required when certificate is set)
  std::string min_version = "1.2";
  std::string max_version;  // "" = newest
  std::string ciphers;
  std::string ciphersuites;
  bool allow_wildcard = false;  // RFC 5922 forbids wildcards; some carriers need "*.example.com"
  bool session_tickets = true;  // remember sessions so a reconnect can resume
};

}  // namespace sipedge::tls
