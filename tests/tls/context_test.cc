// Building contexts: file errors name the file and OpenSSL's reason; expiry is reported.
#include <gtest/gtest.h>

#include <string>

#include "tls_test_contexts.h"

namespace sipedge::tls {
namespace {

using namespace sipedge::tls::testing;

std::string server_error(const ServerConfig& c) {
  auto ctx = ServerContext::create(c);
  return ctx ? std::string() : ctx.error();
}

bool contains(const std::string& text, const std::string& part) {
  return text.find(part) != std::string::npos;
}

TEST(TlsContext, MissingCertificateFileIsNamed) {
  ServerConfig c = server_config("domain");
  c.certificate = shared_pki().dir() + "/absent.crt";
  const std::string e = server_error(c);
  EXPECT_TRUE(contains(e, c.certificate)) << e;
}

TEST(TlsContext, KeyNotMatchingCertificateIsNamedWithOpenSslReason) {
  ServerConfig c = server_config("domain");
  c.key = shared_pki().get("srv_target").key_path;
  const std::string e = server_error(c);
  EXPECT_TRUE(contains(e, c.key)) << e;
  EXPECT_TRUE(contains(e, "mismatch")) << e;  // OpenSSL: "key values mismatch"
}

TEST(TlsContext, BadPemIsNamedWithOpenSslReason) {
  ServerConfig c = server_config("domain");
  c.certificate = shared_pki().write_file("garbage.crt", "-----BEGIN CERTIFICATE-----\nnope\n");
  std::string e = server_error(c);
  EXPECT_TRUE(contains(e, c.certificate)) << e;
  EXPECT_TRUE(contains(e, "PEM") || contains(e, "pem") || contains(e, "no start line")) << e;

  ClientConfig cc = client_config();
  cc.ca = shared_pki().write_file("garbage-ca.pem", "not a bundle\n");
  auto client = ClientContext::create(cc);
  ASSERT_FALSE(client);
  EXPECT_TRUE(contains(client.error(), cc.ca)) << client.error();
}

TEST(TlsContext, InvalidVersionAndCipherOptionsAreRefused) {
  ServerConfig c = server_config("domain");
  c.min_version = "1.1";
  EXPECT_TRUE(contains(server_error(c), "min_version"));
  c = server_config("domain");
  c.min_version = "1.3";
  c.max_version = "1.2";
  EXPECT_TRUE(contains(server_error(c), "max_version"));
  c = server_config("domain");
  c.ciphers = "NO-SUCH-CIPHER";
  EXPECT_TRUE(contains(server_error(c), "NO-SUCH-CIPHER"));
}

TEST(TlsContext, ClientCertificatesNeedACaBundle) {
  ServerConfig c = server_config("domain");
  c.client_cert = ClientCertMode::kRequire;
  c.ca.clear();
  EXPECT_TRUE(contains(server_error(c), "CA"));
}

TEST(TlsContext, ClientCertificateWithoutKeyIsRefused) {
  ClientConfig c = client_config("client");
  c.key.clear();
  EXPECT_FALSE(ClientContext::create(c));
}

TEST(TlsContext, CertificateNotAfterIsTheLeafExpiry) {
  const auto& leaf = shared_pki().get("domain");
  auto server = make_server(server_config("domain"));
  ASSERT_TRUE(server);
  EXPECT_EQ(server->certificate_path(), leaf.certificate_path);
  // The PKI set notAfter to now + 30 days when it was built.
  const int64_t now = std::time(nullptr);
  EXPECT_GT(server->certificate_not_after(), now + 29 * 86400);
  EXPECT_LE(server->certificate_not_after(), now + 30 * 86400);

  auto client_with = make_client(client_config("client"));
  auto client_without = make_client(client_config());
  ASSERT_TRUE(client_with && client_without);
  EXPECT_GT(client_with->certificate_not_after(), now);
  EXPECT_EQ(client_without->certificate_not_after(), 0);
  EXPECT_EQ(client_without->certificate_path(), "");
}

TEST(TlsContext, ExpiredCertificateLoadsAndReportsPastExpiry) {
  // Loading must not refuse it (the operator needs the metric to say "expired", not a crash).
  auto server = make_server(server_config("expired"));
  ASSERT_TRUE(server);
  EXPECT_LT(server->certificate_not_after(), std::time(nullptr));
}

}  // namespace
}  // namespace sipedge::tls
