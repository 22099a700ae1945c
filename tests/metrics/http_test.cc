// The endpoint over a real socket on loopback: what curl or Prometheus gets back.
#include "metrics/exporter.h"

#include <arpa/inet.h>
#include <gtest/gtest.h>
#include <netinet/in.h>
#include <sys/socket.h>
#include <unistd.h>

#include <string>

#include "exposition_reader.h"
#include "metrics/http_request.h"

namespace sipedge::metrics {
namespace {

using testing::read_exposition;

net::Endpoint loopback(uint16_t port) {
  net::Endpoint ep;
  EXPECT_TRUE(net::parse_ip_address("127.0.0.1", &ep.address));
  ep.port = port;
  return ep;
}

// Sends `request` to `to` and reads until the server closes.
std::string round_trip(const net::Endpoint& to, const std::string& request) {
  sockaddr_storage addr;
  socklen_t len = net::endpoint_to_sockaddr(to, &addr);
  int fd = ::socket(addr.ss_family, SOCK_STREAM | SOCK_CLOEXEC, 0);
  if (fd < 0) return "socket failed";
  if (::connect(fd, reinterpret_cast<sockaddr*>(&addr), len) != 0) {
    ::close(fd);
    return "connect failed";
  }
  size_t sent = 0;
  while (sent < request.size()) {
    ssize_t n = ::send(fd, request.data() + sent, request.size() - sent, MSG_NOSIGNAL);
    if (n <= 0) break;
    sent += static_cast<size_t>(n);
  }
  ::shutdown(fd, SHUT_WR);  // as curl does not, but lets a request-less client end at once
  std::string reply;
  char buf[4096];
  ssize_t n;
  while ((n = ::recv(fd, buf, sizeof(buf), 0)) > 0) reply.append(buf, static_cast<size_t>(n));
  ::close(fd);
  return reply;
}

std::string get(const net::Endpoint& to, const std::string& path,
                const std::string& method = "GET") {
  return round_trip(to, method + " " + path + " HTTP/1.1\r\nHost: x\r\nAccept: */*\r\n\r\n");
}

std::string body_of(const std::string& reply) {
  size_t end = reply.find("\r\n\r\n");
  return end == std::string::npos ? "" : reply.substr(end + 4);
}

TEST(HttpRequestLine, ParsesMethodAndPathWithoutQuery) {
  auto r = parse_request_line("GET /metrics?x=1 HTTP/1.1\r\nHost: a\r\n\r\n");
  ASSERT_TRUE(r);
  EXPECT_EQ(r->method, "GET");
  EXPECT_EQ(r->path, "/metrics");
  EXPECT_TRUE(parse_request_line("HEAD /healthz HTTP/1.0\n\n"));
  EXPECT_FALSE(parse_request_line("GET /metrics\r\n\r\n"));
  EXPECT_FALSE(parse_request_line("GET  HTTP/1.1\r\n\r\n"));
  EXPECT_FALSE(parse_request_line("GET metrics HTTP/1.1\r\n\r\n"));
  EXPECT_FALSE(parse_request_line("INVITE sip:a@b SIP/2.0\r\n\r\n"));
}

class MetricsServerTest : public ::testing::Test {
 protected:
  void SetUp() override {
    registry_.worker(0).count_request(Direction::kIn, resolve::Transport::kUdp, Method::kOptions);
    registry_.worker(1).count_request(Direction::kIn, resolve::Transport::kUdp, Method::kOptions);
    auto server = MetricsServer::start(loopback(0), registry_, "");
    ASSERT_TRUE(server) << server.error();
    server_ = std::move(*server);
    ASSERT_NE(server_->local().port, 0);
  }

  Registry registry_{2, {"r6"}};
  std::unique_ptr<MetricsServer> server_;
};

TEST_F(MetricsServerTest, GetMetricsReturnsTheScrapeAsText004) {
  std::string reply = get(server_->local(), "/metrics");
  EXPECT_EQ(reply.rfind("HTTP/1.1 200 OK\r\n", 0), 0u) << reply;
  EXPECT_NE(reply.find("Content-Type: text/plain; version=0.0.4"), std::string::npos) << reply;
  std::string body = body_of(reply);
  EXPECT_NE(reply.find("Content-Length: " + std::to_string(body.size()) + "\r\n"),
            std::string::npos);
  auto e = read_exposition(body);
  EXPECT_TRUE(e.errors.empty());
  EXPECT_EQ(e.value("sipedge_sip_requests_total",
                    {{"direction", "in"}, {"transport", "udp"}, {"method", "OPTIONS"}}),
            2);
  // A later scrape sees later increments.
  registry_.worker(1).count_request(Direction::kIn, resolve::Transport::kUdp, Method::kOptions);
  auto again = read_exposition(body_of(get(server_->local(), "/metrics")));
  EXPECT_EQ(again.value("sipedge_sip_requests_total",
                        {{"direction", "in"}, {"transport", "udp"}, {"method", "OPTIONS"}}),
            3);
}

TEST_F(MetricsServerTest, HealthzAnswersOk) {
  std::string reply = get(server_->local(), "/healthz");
  EXPECT_EQ(reply.rfind("HTTP/1.1 200 OK\r\n", 0), 0u) << reply;
  EXPECT_EQ(body_of(reply), "ok\n");
}

TEST_F(MetricsServerTest, HeadHasHeadersButNoBody) {
  std::string reply = get(server_->local(), "/metrics", "HEAD");
  EXPECT_EQ(reply.rfind("HTTP/1.1 200 OK\r\n", 0), 0u) << reply;
  EXPECT_EQ(body_of(reply), "");
}

TEST_F(MetricsServerTest, OtherPathsMethodsAndGarbageGetErrors) {
  EXPECT_EQ(get(server_->local(), "/").rfind("HTTP/1.1 404 ", 0), 0u);
  std::string post = get(server_->local(), "/metrics", "POST");
  EXPECT_EQ(post.rfind("HTTP/1.1 405 ", 0), 0u) << post;
  EXPECT_NE(post.find("Allow: GET, HEAD\r\n"), std::string::npos);
  EXPECT_EQ(round_trip(server_->local(), "\x16\x03\x01 hello\r\n\r\n").rfind("HTTP/1.1 400 ", 0),
            0u);
  // A client that closes without a request does not stop the server.
  EXPECT_EQ(round_trip(server_->local(), ""), "");
  EXPECT_EQ(body_of(get(server_->local(), "/healthz")), "ok\n");
}

TEST_F(MetricsServerTest, BindFailureNamesTheAddress) {
  Registry other(1, {});
  auto second = MetricsServer::start(server_->local(), other, "");
  ASSERT_FALSE(second);
  EXPECT_NE(second.error().find(server_->local().to_string()), std::string::npos) << second.error();
  EXPECT_NE(second.error().find("in use"), std::string::npos) << second.error();
}

TEST(MetricsServer, UnattachedXdpInterfaceReportsXdpDown) {
  Registry registry(1, {});
  auto server = MetricsServer::start(loopback(0), registry, "sipedge-metrics-no-such-if");
  ASSERT_TRUE(server) << server.error();
  auto e = read_exposition(body_of(get((*server)->local(), "/metrics")));
  EXPECT_EQ(e.value("sipedge_xdp_up"), 0);
}

TEST(MetricsServer, ServesIpv6Loopback) {
  net::Endpoint v6;
  ASSERT_TRUE(net::parse_ip_address("::1", &v6.address));
  Registry registry(1, {});
  auto server = MetricsServer::start(v6, registry, "");
  if (!server) GTEST_SKIP() << "no IPv6 loopback here: " << server.error();
  EXPECT_EQ((*server)->local().address.family, 6);
  EXPECT_EQ(body_of(get((*server)->local(), "/healthz")), "ok\n");
}

}  // namespace
}  // namespace sipedge::metrics
