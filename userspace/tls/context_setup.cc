#include "tls/context_setup.h"

#include <openssl/err.h>

#include <filesystem>
#include <system_error>

#include "tls/openssl_errors.h"

namespace sipedge::tls {

namespace {

// OpenSSL's DEFAULT list still carries suites without forward secrecy or with 64-bit blocks.
constexpr const char* kDefaultCiphers =
    "HIGH:!aNULL:!eNULL:!MD5:!RC4:!3DES:!DES:!IDEA:!SEED:!CAMELLIA:!ARIA:!PSK:!SRP:!kRSA";

Expected<int, std::string> protocol_version(const std::string& text, const char* option) {
  if (text == "1.2") return TLS1_2_VERSION;
  if (text == "1.3") return TLS1_3_VERSION;
  return unexpected(std::string(option) + " must be \"1.2\" or \"1.3\", not \"" + text + "\"");
}

// A missing file gets a plain message before OpenSSL's, which is terse for it.
Expected<bool, std::string> check_exists(const std::string& path, const char* what) {
  std::error_code ec;
  if (path.empty()) return unexpected(std::string(what) + " file is not set");
  if (!std::filesystem::exists(path, ec)) {
    return unexpected(std::string(what) + " file '" + path + "': no such file");
  }
  return true;
}

}  // namespace

Expected<bool, std::string> apply_protocol_policy(SSL_CTX* ctx, const std::string& min_version,
                                                  const std::string& max_version,
                                                  const std::string& ciphers,
                                                  const std::string& ciphersuites) {
  auto min = protocol_version(min_version, "min_version");
  if (!min) return unexpected(min.error());
  int max = 0;  // 0 = the newest version the library supports
  if (!max_version.empty()) {
    auto parsed = protocol_version(max_version, "max_version");
    if (!parsed) return unexpected(parsed.error());
    if (*parsed < *min) return unexpected(std::string("max_version is below min_version"));
    max = *parsed;
  }
  SSL_CTX_set_min_proto_version(ctx, *min);
  SSL_CTX_set_max_proto_version(ctx, max);
  ERR_clear_error();
  if (SSL_CTX_set_cipher_list(ctx, ciphers.empty() ? kDefaultCiphers : ciphers.c_str()) != 1) {
    return unexpected("ciphers \"" + ciphers + "\": " + openssl_error_text());
  }
  if (!ciphersuites.empty() && SSL_CTX_set_ciphersuites(ctx, ciphersuites.c_str()) != 1) {
    return unexpected("ciphersuites \"" + ciphersuites + "\": " + openssl_error_text());
  }
  // Renegotiation is an amplification vector and nothing in SIP needs it.
  SSL_CTX_set_options(
      ctx, SSL_OP_NO_RENEGOTIATION | SSL_OP_NO_COMPRESSION | SSL_OP_CIPHER_SERVER_PREFERENCE);
  // Idle connections then hold no 16 kB record buffers: the router keeps thousands.
  SSL_CTX_set_mode(ctx, SSL_MODE_RELEASE_BUFFERS);
  return true;
}

Expected<bool, std::string> load_certificate_and_key(SSL_CTX* ctx, const std::string& certificate,
                                                     const std::string& key) {
  if (auto ok = check_exists(certificate, "certificate"); !ok) return ok;
  if (auto ok = check_exists(key, "key"); !ok) return ok;
  ERR_clear_error();
  if (SSL_CTX_use_certificate_chain_file(ctx, certificate.c_str()) != 1) {
    return unexpected("certificate file '" + certificate + "': " + openssl_error_text());
  }
  if (SSL_CTX_use_PrivateKey_file(ctx, key.c_str(), SSL_FILETYPE_PEM) != 1) {
    return unexpected("key file '" + key + "': " + openssl_error_text());
  }
  if (SSL_CTX_check_private_key(ctx) != 1) {
    return unexpected("key file '" + key + "' does not match certificate file '" + certificate +
                      "': " + openssl_error_text());
  }
  return true;
}

Expected<bool, std::string> load_trusted_cas(SSL_CTX* ctx, const std::string& ca) {
  ERR_clear_error();
  if (ca.empty()) {
    if (SSL_CTX_set_default_verify_paths(ctx) != 1) {
      return unexpected("system CA paths: " + openssl_error_text());
    }
    return true;
  }
  if (auto ok = check_exists(ca, "CA"); !ok) return ok;
  std::error_code ec;
  const bool is_dir = std::filesystem::is_directory(ca, ec);
  const int rc = is_dir ? SSL_CTX_load_verify_locations(ctx, nullptr, ca.c_str())
                        : SSL_CTX_load_verify_locations(ctx, ca.c_str(), nullptr);
  if (rc != 1) return unexpected("CA file '" + ca + "': " + openssl_error_text());
  return true;
}

}  // namespace sipedge::tls
