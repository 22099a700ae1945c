// The stream connection table: where a connection is found again (responses back on the
// connection a request came in on, outbound reuse per next hop and, for TLS, per identity).
#include <gtest/gtest.h>

#include "net/tcp_connections.h"

namespace sipedge::net {
namespace {

Endpoint ep(const char* text) {
  Endpoint e;
  EXPECT_TRUE(parse_endpoint(text, &e)) << text;
  return e;
}

TEST(TcpConnections, OutboundTlsIsReusedOnlyForTheSameIdentity_R8) {
  TcpConnectionTable t(8, 4);
  const char* why = "";
  Endpoint hop = ep("192.0.2.10:5061");
  TcpConnection* a = t.open(hop, true, UniqueFd(), &why, resolve::Transport::kTls, "a.example");
  ASSERT_NE(a, nullptr);
  EXPECT_EQ(t.find(hop, resolve::Transport::kTls, "a.example"), a);
  EXPECT_EQ(t.find(hop, resolve::Transport::kTls, "A.Example"), a) << "names are case-blind";
  // One server hosting two domains: a connection verified for one is not the other's.
  EXPECT_EQ(t.find(hop, resolve::Transport::kTls, "b.example"), nullptr);
  EXPECT_EQ(t.find(hop, resolve::Transport::kTcp), nullptr) << "TLS is not plain TCP";
  TcpConnection* b = t.open(hop, true, UniqueFd(), &why, resolve::Transport::kTls, "b.example");
  ASSERT_NE(b, nullptr);
  EXPECT_NE(a, b);
  EXPECT_EQ(t.find(hop, resolve::Transport::kTls, "b.example"), b);
  t.close(a);
  EXPECT_EQ(t.find(hop, resolve::Transport::kTls, "a.example"), nullptr);
  EXPECT_EQ(t.find(hop, resolve::Transport::kTls, "b.example"), b);
}

TEST(TcpConnections, ConnectionsAreTransportExact) {
  TcpConnectionTable t(8, 4);
  const char* why = "";
  Endpoint client = ep("198.51.100.7:40000");
  TcpConnection* tls = t.open(client, false, UniqueFd(), &why, resolve::Transport::kTls);
  ASSERT_NE(tls, nullptr);
  EXPECT_EQ(t.find(client, resolve::Transport::kTls), tls);
  EXPECT_EQ(t.find(client, resolve::Transport::kTcp), nullptr);
  // Another connection from the same address (a second subscriber behind the same NAT) is
  // not the one a lookup by the first one's endpoint gives.
  TcpConnection* other =
      t.open(ep("198.51.100.7:40001"), false, UniqueFd(), &why, resolve::Transport::kTls);
  ASSERT_NE(other, nullptr);
  EXPECT_EQ(t.find(client, resolve::Transport::kTls), tls);
  EXPECT_EQ(t.find(ep("198.51.100.7:40001"), resolve::Transport::kTls), other);
}

TEST(TcpConnections, PerSourceLimitCountsTlsAndTcpTogether) {
  TcpConnectionTable t(8, 2);
  const char* why = "";
  Endpoint a = ep("198.51.100.7:1"), b = ep("198.51.100.7:2"), c = ep("198.51.100.7:3");
  ASSERT_NE(t.open(a, false, UniqueFd(), &why, resolve::Transport::kTls), nullptr);
  ASSERT_NE(t.open(b, false, UniqueFd(), &why, resolve::Transport::kTcp), nullptr);
  EXPECT_EQ(t.open(c, false, UniqueFd(), &why, resolve::Transport::kTls), nullptr);
  EXPECT_STREQ(why, "per-source connection limit");
}

TEST(TcpConnections, ClosedSlotForgetsItsTlsState) {
  TcpConnectionTable t(1, 4);
  const char* why = "";
  TcpConnection* c =
      t.open(ep("192.0.2.1:5061"), true, UniqueFd(), &why, resolve::Transport::kTls, "x.example");
  ASSERT_NE(c, nullptr);
  c->staged = "queued";
  c->tls_established = true;
  t.close(c);
  TcpConnection* d = t.open(ep("192.0.2.2:5060"), true, UniqueFd(), &why);
  ASSERT_EQ(d, c) << "one slot, reused";
  EXPECT_EQ(d->transport, resolve::Transport::kTcp);
  EXPECT_TRUE(d->tls_identity.empty());
  EXPECT_TRUE(d->staged.empty());
  EXPECT_FALSE(d->tls_established);
  EXPECT_FALSE(d->tls.has_value());
}

}  // namespace
}  // namespace sipedge::net
