// Measures the heap held by IDLE established TLS sessions (issue 11: older SIP proxies spend
// ~61 kB per TLS connection). N pairs are handshaken in memory, exchange one message each
// way, and sit idle; glibc's mallinfo2 before/after, divided by N, gives bytes per session.
// Prints the figures; asserts only a generous bound so a regression fails loudly.
#include <gtest/gtest.h>
#include <malloc.h>

#include <cstdio>
#include <vector>

#include "tls_pair.h"
#include "tls_test_contexts.h"

namespace sipedge::tls {
namespace {

using namespace sipedge::tls::testing;

constexpr size_t kPairs = 1000;
constexpr size_t kBoundBytes = 64 * 1024;

size_t heap_in_use() {
  const struct mallinfo2 m = mallinfo2();
  return m.uordblks + m.hblkhd;
}

struct PerSession {
  size_t server = 0;
  size_t client = 0;
};

PerSession measure(const char* max_version, ClientCertMode mode, const char* client_cert) {
  ServerConfig sc = server_config("domain");
  sc.max_version = max_version;
  sc.client_cert = mode;
  auto server_ctx = make_server(sc);
  auto client_ctx = make_client(client_config(client_cert));
  std::vector<TlsSession> servers, clients;
  servers.reserve(kPairs);
  clients.reserve(kPairs);
  connect_pair(server_ctx, client_ctx, "example.com");  // warm OpenSSL's lazy tables first

  malloc_trim(0);
  const size_t before = heap_in_use();
  for (size_t i = 0; i < kPairs; ++i) {
    auto c = connect_pair(server_ctx, client_ctx, "example.com");
    EXPECT_TRUE(c && c->client.tls.handshake_done() && c->server.tls.handshake_done());
    if (!c) break;
    c->client.tls.write("OPTIONS sip:example.com SIP/2.0\r\n\r\n");
    pump(c->client, c->server);
    c->server.tls.write("SIP/2.0 200 OK\r\n\r\n");
    pump(c->server, c->client);
    EXPECT_EQ(c->client.tls.pending_ciphertext() + c->server.tls.pending_ciphertext(), 0u);
    servers.push_back(std::move(c->server.tls));
    clients.push_back(std::move(c->client.tls));
  }
  const size_t with_both = heap_in_use();
  clients.clear();
  const size_t with_servers = heap_in_use();
  PerSession out;
  out.server = (with_servers - before) / kPairs;
  out.client = (with_both - with_servers) / kPairs;
  return out;
}

void report(const char* label, const PerSession& m) {
  std::printf("[tls memory] %-34s server %6zu B/idle session, client %6zu B/idle session\n", label,
              m.server, m.client);
  ::testing::Test::RecordProperty(std::string(label) + " server bytes", std::to_string(m.server));
  ::testing::Test::RecordProperty(std::string(label) + " client bytes", std::to_string(m.client));
  EXPECT_LT(m.server, kBoundBytes) << label;
  EXPECT_LT(m.client, kBoundBytes) << label;
  EXPECT_GT(m.server, 0u);
  EXPECT_GT(m.client, 0u);
}

#if defined(__SANITIZE_ADDRESS__) || defined(__SANITIZE_THREAD__)
constexpr bool kMallinfoMeaningful = false;  // the sanitizer's allocator bypasses glibc's
#else
constexpr bool kMallinfoMeaningful = true;
#endif

TEST(TlsMemoryProbe, IdleSessionHeapIsBoundedTls13) {
  if (!kMallinfoMeaningful) GTEST_SKIP() << "mallinfo2 does not see sanitizer allocations";
  report("TLS 1.3", measure("", ClientCertMode::kNone, ""));
}

TEST(TlsMemoryProbe, IdleSessionHeapIsBoundedTls12) {
  if (!kMallinfoMeaningful) GTEST_SKIP() << "mallinfo2 does not see sanitizer allocations";
  report("TLS 1.2", measure("1.2", ClientCertMode::kNone, ""));
}

TEST(TlsMemoryProbe, IdleSessionHeapIsBoundedMutualTls13) {
  if (!kMallinfoMeaningful) GTEST_SKIP() << "mallinfo2 does not see sanitizer allocations";
  report("TLS 1.3 mutual (client cert)", measure("", ClientCertMode::kRequire, "client"));
}

}  // namespace
}  // namespace sipedge::tls
