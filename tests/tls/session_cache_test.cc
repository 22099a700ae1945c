// The per-worker client session cache: bounded, least recently used goes first, references
// counted (ASan would see a leak or a double free).
#include "tls/session_cache.h"

#include <gtest/gtest.h>

#include <ctime>

namespace sipedge::tls {
namespace {

SslSessionPtr resumable_session() {
  SslSessionPtr s(SSL_SESSION_new());
  const SSL_CIPHER* cipher = nullptr;
  SslCtxPtr ctx(SSL_CTX_new(TLS_client_method()));
  STACK_OF(SSL_CIPHER)* ciphers = SSL_CTX_get_ciphers(ctx.get());
  cipher = sk_SSL_CIPHER_value(ciphers, 0);
  SSL_SESSION_set_protocol_version(s.get(), TLS1_3_VERSION);
  SSL_SESSION_set_cipher(s.get(), cipher);
  static const unsigned char master[48] = {1};
  SSL_SESSION_set1_master_key(s.get(), master, sizeof master);
  static const unsigned char id[16] = {2};
  SSL_SESSION_set1_id(s.get(), id, sizeof id);
  SSL_SESSION_set_time(s.get(), std::time(nullptr));
  SSL_SESSION_set_timeout(s.get(), 3600);
  return s;
}

TEST(ClientSessionCache, KeyCombinesHopAndIdentity) {
  EXPECT_NE(ClientSessionCache::key_for("192.0.2.1:5061", "a.example"),
            ClientSessionCache::key_for("192.0.2.1:5061", "b.example"));
}

TEST(ClientSessionCache, StoreFindEraseKeepsItsOwnReference) {
  ClientSessionCache cache(4);
  SSL_SESSION* raw;
  {
    SslSessionPtr s = resumable_session();
    raw = s.get();
    cache.store("k", s.get());
  }  // caller's reference gone; the cache still holds one
  EXPECT_EQ(cache.find("k"), raw);
  EXPECT_EQ(cache.find("other"), nullptr);
  cache.erase("k");
  EXPECT_EQ(cache.find("k"), nullptr);
  EXPECT_EQ(cache.size(), 0u);
}

TEST(ClientSessionCache, EvictsTheLeastRecentlyUsedBeyondCapacity) {
  ClientSessionCache cache(2);
  SslSessionPtr a = resumable_session(), b = resumable_session(), c = resumable_session();
  cache.store("a", a.get());
  cache.store("b", b.get());
  ASSERT_EQ(cache.find("a"), a.get());  // "b" is now the least recently used
  cache.store("c", c.get());
  EXPECT_EQ(cache.size(), 2u);
  EXPECT_EQ(cache.find("b"), nullptr);
  EXPECT_EQ(cache.find("a"), a.get());
  EXPECT_EQ(cache.find("c"), c.get());
}

TEST(ClientSessionCache, StoreReplacesAndNullErases) {
  ClientSessionCache cache(2);
  SslSessionPtr a = resumable_session(), b = resumable_session();
  cache.store("k", a.get());
  cache.store("k", b.get());
  EXPECT_EQ(cache.size(), 1u);
  EXPECT_EQ(cache.find("k"), b.get());
  cache.store("k", nullptr);
  EXPECT_EQ(cache.find("k"), nullptr);
}

TEST(ClientSessionCache, ExpiredSessionsAreNotOffered) {
  ClientSessionCache cache(2);
  SslSessionPtr old = resumable_session();
  SSL_SESSION_set_time(old.get(), std::time(nullptr) - 7200);
  SSL_SESSION_set_timeout(old.get(), 60);
  cache.store("k", old.get());
  EXPECT_EQ(cache.find("k"), nullptr);
  EXPECT_EQ(cache.size(), 0u);
}

TEST(ClientSessionCache, ZeroCapacityKeepsNothing) {
  ClientSessionCache cache(0);
  SslSessionPtr a = resumable_session();
  cache.store("k", a.get());
  EXPECT_EQ(cache.find("k"), nullptr);
}

}  // namespace
}  // namespace sipedge::tls
