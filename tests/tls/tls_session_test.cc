// Handshakes, data transfer, and how each failure shows on both ends, all in memory.
#include "tls/tls_session.h"

#include <gtest/gtest.h>

#include <string>

#include "tls_pair.h"
#include "tls_test_contexts.h"

namespace sipedge::tls {
namespace {

using namespace sipedge::tls::testing;
using Status = TlsSession::Status;

constexpr const char* kDomain = "example.com";

std::unique_ptr<Connection> handshake(const std::string& server_cert,
                                      const std::string& identity = kDomain,
                                      size_t chunk = std::string::npos) {
  return connect_pair(make_server(server_config(server_cert)), make_client(client_config()),
                      identity, nullptr, chunk);
}

void expect_established(const Connection& c) {
  EXPECT_TRUE(c.client.tls.handshake_done()) << c.client.tls.failure_detail();
  EXPECT_TRUE(c.server.tls.handshake_done()) << c.server.tls.failure_detail();
  EXPECT_EQ(c.client.tls.failure(), FailureReason::kNone);
  EXPECT_EQ(c.server.tls.failure(), FailureReason::kNone);
}

void expect_refused(const Connection& c, FailureReason client, FailureReason server) {
  EXPECT_TRUE(c.client.failed);
  EXPECT_TRUE(c.server.failed);
  EXPECT_EQ(c.client.tls.failure(), client)
      << failure_reason_name(c.client.tls.failure()) << ": " << c.client.tls.failure_detail();
  EXPECT_EQ(c.server.tls.failure(), server)
      << failure_reason_name(c.server.tls.failure()) << ": " << c.server.tls.failure_detail();
  EXPECT_FALSE(c.client.tls.failure_detail().empty());
  EXPECT_FALSE(c.server.tls.failure_detail().empty());
}

// Sends `text` from one peer to the other through the pump and returns what arrived.
void send(Peer& from, Peer& to, const std::string& text, size_t chunk = std::string::npos) {
  ASSERT_EQ(from.tls.write(text), Status::kOk);
  pump(from, to, chunk);
}

TEST(TlsSession, HandshakeCompletesAndCarriesDataBothWays) {
  auto c = handshake("domain");
  ASSERT_TRUE(c);
  expect_established(*c);
  EXPECT_EQ(c->client.tls.version(), "TLSv1.3");
  EXPECT_EQ(c->server.tls.server_name(), kDomain);  // SNI carries the identity (R8)
  const std::string invite = "INVITE sip:bob@example.com SIP/2.0\r\nContent-Length: 0\r\n\r\n";
  const std::string ok = "SIP/2.0 200 OK\r\nContent-Length: 0\r\n\r\n";
  send(c->client, c->server, invite);
  send(c->server, c->client, ok);
  EXPECT_EQ(c->server.received, invite);
  EXPECT_EQ(c->client.received, ok);
}

TEST(TlsSession, ByteByByteDeliveryCompletesHandshakeAndData) {
  auto c = handshake("domain", kDomain, 1);
  ASSERT_TRUE(c);
  expect_established(*c);
  std::string big(100000, 'x');  // several records
  for (size_t i = 0; i < big.size(); ++i) big[i] = static_cast<char>('a' + i % 26);
  send(c->client, c->server, big, 7);
  EXPECT_EQ(c->server.received, big);
  send(c->server, c->client, "pong", 1);
  EXPECT_EQ(c->client.received, "pong");
}

TEST(TlsSession, DataWrittenBeforeHandshakeEndsIsFlushedAfterIt) {
  auto server = TlsSession::accept(make_server(server_config("domain")));
  auto client = TlsSession::connect(make_client(client_config()), kDomain, nullptr);
  ASSERT_TRUE(server && client);
  Peer s(std::move(*server)), cl(std::move(*client));
  EXPECT_EQ(cl.tls.write("OPTIONS early"), Status::kOk);
  EXPECT_EQ(cl.tls.start(), Status::kWantMore);
  pump(cl, s);
  EXPECT_TRUE(s.tls.handshake_done());
  EXPECT_EQ(s.received, "OPTIONS early");
}

TEST(TlsSession, Tls12HandshakeWhenServerCapsVersion) {
  ServerConfig sc = server_config("domain");
  sc.max_version = "1.2";
  auto c = connect_pair(make_server(sc), make_client(client_config()), kDomain);
  ASSERT_TRUE(c);
  expect_established(*c);
  EXPECT_EQ(c->client.tls.version(), "TLSv1.2");
  send(c->client, c->server, "ping");
  EXPECT_EQ(c->server.received, "ping");
}

TEST(TlsSession, IpLiteralIdentityMatchesIpSanAndSendsNoSni) {
  auto c = handshake("ip", "127.0.0.1");
  ASSERT_TRUE(c);
  expect_established(*c);
  EXPECT_EQ(c->server.tls.server_name(), "");
  auto v6 = handshake("ip", "[2001:db8::1]");
  ASSERT_TRUE(v6);
  expect_established(*v6);
}

TEST(TlsSession, IpLiteralIdentityNotInCertificateIsNameMismatch) {
  auto c = handshake("ip", "127.0.0.2");
  ASSERT_TRUE(c);
  expect_refused(*c, FailureReason::kNameMismatch, FailureReason::kProtocol);
}

// --- failures, as each end sees them -------------------------------------------------------

TEST(TlsFailure, ExpiredServerCertificateIsExpiredOnBothSides) {
  auto c = handshake("expired");
  ASSERT_TRUE(c);
  // The client sends alert certificate_expired: the server can name the reason too.
  expect_refused(*c, FailureReason::kExpired, FailureReason::kExpired);
  EXPECT_NE(c->client.tls.failure_detail().find("expired"), std::string::npos);
}

TEST(TlsFailure, NotYetValidServerCertificateIsNotYetValidOnClient) {
  auto c = handshake("not_yet_valid");
  ASSERT_TRUE(c);
  // TLS has no alert for "not yet valid": the server only learns "bad certificate".
  expect_refused(*c, FailureReason::kNotYetValid, FailureReason::kProtocol);
}

TEST(TlsFailure, CertificateFromAnotherCaIsUnknownCaOnBothSides) {
  auto c = handshake("other_ca_leaf");
  ASSERT_TRUE(c);
  expect_refused(*c, FailureReason::kUnknownCa, FailureReason::kUnknownCa);
}

TEST(TlsFailure, CertificateNamingOnlyTheSrvTargetIsNameMismatch_R8) {
  // The URI was sip:example.com; SRV pointed at sip1.example.net, whose certificate names
  // only itself. RFC 5922 / R8: refused.
  auto c = handshake("srv_target");
  ASSERT_TRUE(c);
  expect_refused(*c, FailureReason::kNameMismatch, FailureReason::kProtocol);
  EXPECT_NE(c->client.tls.failure_detail().find("example.com"), std::string::npos);
}

TEST(TlsFailure, CertificateNamingTheDomainIsAcceptedFromTheSrvTarget_R8) {
  for (const char* cert : {"domain", "uri", "cn_only"}) {
    auto c = handshake(cert);
    ASSERT_TRUE(c);
    SCOPED_TRACE(cert);
    expect_established(*c);
  }
}

TEST(TlsFailure, WildcardCertificateRefusedUnlessAllowed) {
  auto refused = handshake("wildcard", "sip.example.com");
  ASSERT_TRUE(refused);
  expect_refused(*refused, FailureReason::kNameMismatch, FailureReason::kProtocol);
  ClientConfig cc = client_config();
  cc.allow_wildcard = true;
  auto allowed =
      connect_pair(make_server(server_config("wildcard")), make_client(cc), "sip.example.com");
  ASSERT_TRUE(allowed);
  expect_established(*allowed);
}

TEST(TlsFailure, RequiredClientCertificateMissingIsNoPeerCertificateOnBothSides) {
  ServerConfig sc = server_config("domain");
  sc.client_cert = ClientCertMode::kRequire;
  auto c = connect_pair(make_server(sc), make_client(client_config()), kDomain);
  ASSERT_TRUE(c);
  // TLS 1.3: the server's alert certificate_required names the reason to the client.
  expect_refused(*c, FailureReason::kNoPeerCertificate, FailureReason::kNoPeerCertificate);
}

TEST(TlsFailure, RequiredClientCertificateMissingOverTls12IsProtocolOnClient) {
  ServerConfig sc = server_config("domain");
  sc.client_cert = ClientCertMode::kRequire;
  sc.max_version = "1.2";
  auto c = connect_pair(make_server(sc), make_client(client_config()), kDomain);
  ASSERT_TRUE(c);
  // TLS 1.2 has only handshake_failure for it.
  expect_refused(*c, FailureReason::kProtocol, FailureReason::kNoPeerCertificate);
}

TEST(TlsFailure, ExpiredClientCertificateIsExpiredOnBothSides) {
  ServerConfig sc = server_config("domain");
  sc.client_cert = ClientCertMode::kRequire;
  auto c = connect_pair(make_server(sc), make_client(client_config("client_expired")), kDomain);
  ASSERT_TRUE(c);
  expect_refused(*c, FailureReason::kExpired, FailureReason::kExpired);
}

TEST(TlsFailure, ClientCertificateFromAnotherCaIsUnknownCaOnBothSides) {
  ServerConfig sc = server_config("domain");
  sc.client_cert = ClientCertMode::kRequest;  // a certificate sent must verify even if optional
  auto c = connect_pair(make_server(sc), make_client(client_config("client_other_ca")), kDomain);
  ASSERT_TRUE(c);
  expect_refused(*c, FailureReason::kUnknownCa, FailureReason::kUnknownCa);
}

TEST(TlsFailure, MinVersion13RefusesTls12OnlyClientAsProtocol) {
  ServerConfig sc = server_config("domain");
  sc.min_version = "1.3";
  ClientConfig cc = client_config();
  cc.max_version = "1.2";
  auto c = connect_pair(make_server(sc), make_client(cc), kDomain);
  ASSERT_TRUE(c);
  expect_refused(*c, FailureReason::kProtocol, FailureReason::kProtocol);
}

TEST(TlsFailure, PeerClosingMidHandshakeIsClosedOnBothSides) {
  auto server = TlsSession::accept(make_server(server_config("domain")));
  auto client = TlsSession::connect(make_client(client_config()), kDomain, nullptr);
  ASSERT_TRUE(server && client);
  std::string hello;
  client->start();
  client->take_ciphertext(&hello);
  ASSERT_GT(hello.size(), 10u);
  // The server got half a ClientHello, then the socket closed.
  EXPECT_EQ(server->feed(std::string_view(hello).substr(0, hello.size() / 2)), Status::kWantMore);
  EXPECT_EQ(server->feed_eof(), Status::kFailed);
  EXPECT_EQ(server->failure(), FailureReason::kClosed) << server->failure_detail();
  // The client sent its hello and saw EOF instead of a ServerHello.
  EXPECT_EQ(client->feed_eof(), Status::kFailed);
  EXPECT_EQ(client->failure(), FailureReason::kClosed) << client->failure_detail();
}

TEST(TlsFailure, GarbageInsteadOfClientHelloIsProtocolNotACrash) {
  const std::string inputs[] = {
      "OPTIONS sip:example.com SIP/2.0\r\nVia: SIP/2.0/TCP 192.0.2.1\r\n\r\n",  // plaintext SIP
      std::string("\x16\x03\x01\xff\xff", 5) + std::string(300, '\xAA'),        // huge length
      std::string("\x16\x03\x01\x00\x05\x01\x00\x00\x01\x00", 10),              // truncated hello
      std::string(64, '\0')};
  for (const std::string& garbage : inputs) {
    auto server = TlsSession::accept(make_server(server_config("domain")));
    ASSERT_TRUE(server);
    EXPECT_EQ(server->feed(garbage), Status::kFailed);
    EXPECT_EQ(server->failure(), FailureReason::kProtocol) << server->failure_detail();
    std::string alert;
    server->take_ciphertext(&alert);  // an alert may be queued; it must be retrievable
    EXPECT_EQ(server->feed("more"), Status::kFailed);
    EXPECT_EQ(server->write("x"), Status::kFailed);
  }
}

TEST(TlsFailure, GarbageAfterHandshakeFailsTheSessionAsProtocol) {
  auto c = handshake("domain");
  ASSERT_TRUE(c);
  expect_established(*c);
  std::string out;
  EXPECT_EQ(c->server.tls.feed(std::string("\x17\x03\x03\x00\x20", 5) + std::string(32, 'z')),
            Status::kOk);
  EXPECT_EQ(c->server.tls.read(&out), Status::kFailed);
  EXPECT_EQ(c->server.tls.failure(), FailureReason::kProtocol) << c->server.tls.failure_detail();
  EXPECT_TRUE(out.empty());
}

TEST(TlsFailure, GarbageToClientDuringHandshakeIsProtocol) {
  auto client = TlsSession::connect(make_client(client_config()), kDomain, nullptr);
  ASSERT_TRUE(client);
  client->start();
  EXPECT_EQ(client->feed("SIP/2.0 200 OK\r\n\r\n"), Status::kFailed);
  EXPECT_EQ(client->failure(), FailureReason::kProtocol) << client->failure_detail();
}

// --- mutual TLS -----------------------------------------------------------------------------

TEST(TlsMutual, RequiredClientCertificateVerifies) {
  ServerConfig sc = server_config("domain");
  sc.client_cert = ClientCertMode::kRequire;
  auto c = connect_pair(make_server(sc), make_client(client_config("client")), kDomain);
  ASSERT_TRUE(c);
  expect_established(*c);
  send(c->client, c->server, "hello");  // TLS 1.3 verifies the client after its Finished
  EXPECT_EQ(c->server.received, "hello");
  EXPECT_TRUE(c->server.tls.peer_certificate_verified());
  EXPECT_FALSE(c->client.failed);
}

TEST(TlsMutual, RequestedClientCertificateIsOptional) {
  ServerConfig sc = server_config("domain");
  sc.client_cert = ClientCertMode::kRequest;
  auto without = connect_pair(make_server(sc), make_client(client_config()), kDomain);
  ASSERT_TRUE(without);
  expect_established(*without);
  EXPECT_FALSE(without->server.tls.peer_certificate_verified());
  auto with = connect_pair(make_server(sc), make_client(client_config("client")), kDomain);
  ASSERT_TRUE(with);
  expect_established(*with);
  EXPECT_TRUE(with->server.tls.peer_certificate_verified());
}

TEST(TlsMutual, NoClientCertificateAskedWhenModeIsNone) {
  auto c = connect_pair(make_server(server_config("domain")), make_client(client_config("client")),
                        kDomain);
  ASSERT_TRUE(c);
  expect_established(*c);
  EXPECT_FALSE(c->server.tls.peer_certificate_verified());
  EXPECT_EQ(c->server.tls.peer_certificate(), nullptr);
  EXPECT_TRUE(c->client.tls.peer_certificate_verified());  // the server's, against the CA
}

// --- closing --------------------------------------------------------------------------------

TEST(TlsClose, CloseNotifyReachesThePeerAsClosed) {
  auto c = handshake("domain");
  ASSERT_TRUE(c);
  send(c->client, c->server, "BYE");
  c->client.tls.shutdown();
  EXPECT_GT(c->client.tls.pending_ciphertext(), 0u);
  pump(c->client, c->server);
  EXPECT_TRUE(c->server.closed);
  EXPECT_FALSE(c->server.failed);
  EXPECT_EQ(c->server.received, "BYE");
  EXPECT_EQ(c->client.tls.write("late"), Status::kClosed);
  EXPECT_EQ(c->server.tls.failure(), FailureReason::kNone);
}

TEST(TlsClose, EofAfterHandshakeIsClosedNotFailed) {
  auto c = handshake("domain");
  ASSERT_TRUE(c);
  EXPECT_EQ(c->server.tls.feed_eof(), Status::kClosed);
  EXPECT_EQ(c->server.tls.failure(), FailureReason::kNone);
}

}  // namespace
}  // namespace sipedge::tls
