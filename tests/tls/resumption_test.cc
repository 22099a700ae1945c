// Session resumption through the per-worker cache, and certificate reload under live sessions.
#include <gtest/gtest.h>

#include <string>

#include "tls/session_cache.h"
#include "tls_pair.h"
#include "tls_test_contexts.h"

namespace sipedge::tls {
namespace {

using namespace sipedge::tls::testing;

constexpr const char* kDomain = "example.com";

void resumes_with_version(const char* max_version, const char* expected_version) {
  ServerConfig sc = server_config("domain");
  sc.max_version = max_version;
  auto server = make_server(sc);
  auto client = make_client(client_config());
  ClientSessionCache cache(8);
  const std::string key = ClientSessionCache::key_for("192.0.2.10:5061", kDomain);

  auto first = connect_pair(server, client, kDomain, cache.find(key));
  ASSERT_TRUE(first);
  ASSERT_TRUE(first->client.tls.handshake_done()) << first->client.tls.failure_detail();
  EXPECT_EQ(first->client.tls.version(), expected_version);
  EXPECT_FALSE(first->client.tls.resumed());
  ASSERT_NE(first->client.tls.session_for_resumption(), nullptr);
  cache.store(key, first->client.tls.session_for_resumption());
  first.reset();  // the cache's reference outlives the connection

  auto second = connect_pair(server, client, kDomain, cache.find(key));
  ASSERT_TRUE(second);
  ASSERT_TRUE(second->client.tls.handshake_done()) << second->client.tls.failure_detail();
  EXPECT_TRUE(second->client.tls.resumed());
  EXPECT_TRUE(second->server.tls.resumed());
  second->client.tls.write("after resumption");
  pump(second->client, second->server);
  EXPECT_EQ(second->server.received, "after resumption");
}

TEST(TlsResumption, Tls13TicketResumes) { resumes_with_version("", "TLSv1.3"); }

TEST(TlsResumption, Tls12TicketResumes) { resumes_with_version("1.2", "TLSv1.2"); }

TEST(TlsResumption, SessionOfAnotherIdentityIsNotResumed_R8) {
  auto server = make_server(server_config("domain"));
  auto client = make_client(client_config());
  auto first = connect_pair(server, client, kDomain);
  ASSERT_TRUE(first && first->client.tls.session_for_resumption());
  // Resuming would skip the certificate check: a session for example.com must not vouch for
  // other.example.org, so the full handshake runs and the name check refuses it.
  auto second =
      connect_pair(server, client, "other.example.org", first->client.tls.session_for_resumption());
  ASSERT_TRUE(second);
  EXPECT_FALSE(second->client.tls.resumed());
  EXPECT_EQ(second->client.tls.failure(), FailureReason::kNameMismatch)
      << second->client.tls.failure_detail();
}

TEST(TlsResumption, NoSessionKeptWhenTicketsAreOff) {
  ClientConfig cc = client_config();
  cc.session_tickets = false;
  auto c = connect_pair(make_server(server_config("domain")), make_client(cc), kDomain);
  ASSERT_TRUE(c);
  ASSERT_TRUE(c->client.tls.handshake_done());
  EXPECT_EQ(c->client.tls.session_for_resumption(), nullptr);
}

TEST(TlsResumption, TicketFromAReplacedServerContextFallsBackToFullHandshake) {
  auto client = make_client(client_config());
  auto first = connect_pair(make_server(server_config("domain")), client, kDomain);
  ASSERT_TRUE(first && first->client.tls.session_for_resumption());
  // A reload made new ticket keys: the old ticket is declined, the handshake still succeeds.
  auto second = connect_pair(make_server(server_config("domain")), client, kDomain,
                             first->client.tls.session_for_resumption());
  ASSERT_TRUE(second);
  EXPECT_TRUE(second->client.tls.handshake_done()) << second->client.tls.failure_detail();
  EXPECT_FALSE(second->client.tls.resumed());
}

TEST(TlsReload, SessionsOfTheOldContextKeepWorkingAfterItIsReplaced) {
  auto client = make_client(client_config());
  std::shared_ptr<const ServerContext> live = make_server(server_config("domain"));
  auto old_conn = connect_pair(live, client, kDomain);
  ASSERT_TRUE(old_conn && old_conn->server.tls.handshake_done());

  // SIGHUP: a new certificate is loaded and the caller drops its reference to the old context.
  ServerConfig rotated = server_config("uri");
  live = make_server(rotated);
  ASSERT_TRUE(live);
  EXPECT_EQ(live->certificate_path(), rotated.certificate);

  old_conn->client.tls.write("INVITE over the old certificate");
  pump(old_conn->client, old_conn->server);
  old_conn->server.tls.write("200 OK");
  pump(old_conn->server, old_conn->client);
  EXPECT_EQ(old_conn->server.received, "INVITE over the old certificate");
  EXPECT_EQ(old_conn->client.received, "200 OK");
  EXPECT_FALSE(old_conn->server.failed);

  auto new_conn = connect_pair(live, client, kDomain);
  ASSERT_TRUE(new_conn);
  EXPECT_TRUE(new_conn->client.tls.handshake_done()) << new_conn->client.tls.failure_detail();
  // The new connection sees the rotated certificate (URI SAN only, no dNSName).
  X509* presented = new_conn->client.tls.peer_certificate();
  ASSERT_NE(presented, nullptr);
  EXPECT_EQ(X509_cmp(presented, shared_pki().get("uri").certificate.get()), 0);
}

}  // namespace
}  // namespace sipedge::tls
