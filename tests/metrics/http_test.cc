// The endpoint over a real socket on loopback: what curl or Prometheus gets back.
#include "metrics/exporter.h"

#include <arpa/inet.h>
#include <dirent.h>
#include <fcntl.h>
#include <gtest/gtest.h>
#include <netinet/in.h>
#include <poll.h>
#include <sys/resource.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <fstream>
#include <iterator>
#include <sstream>
#include <string>
#include <thread>
#include <vector>

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

// A connected TCP socket to `to` (-1 on failure) whose reads give up after 5 s: a guard
// against a test hanging on a server that never answers, not a bound the tests check.
int connect_to(const net::Endpoint& to) {
  sockaddr_storage addr;
  socklen_t len = net::endpoint_to_sockaddr(to, &addr);
  int fd = ::socket(addr.ss_family, SOCK_STREAM | SOCK_CLOEXEC, 0);
  if (fd < 0) return -1;
  timeval guard{5, 0};
  ::setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &guard, sizeof(guard));
  if (::connect(fd, reinterpret_cast<sockaddr*>(&addr), len) != 0) {
    ::close(fd);
    return -1;
  }
  return fd;
}

void send_all(int fd, const std::string& data) {
  size_t sent = 0;
  while (sent < data.size()) {
    ssize_t n = ::send(fd, data.data() + sent, data.size() - sent, MSG_NOSIGNAL);
    if (n <= 0) break;
    sent += static_cast<size_t>(n);
  }
}

// Reads until the server closes; "" plus "<no end>" when the hang guard fired first.
std::string read_to_end(int fd) {
  std::string reply;
  char buf[16384];
  ssize_t n;
  while ((n = ::recv(fd, buf, sizeof(buf), 0)) > 0) reply.append(buf, static_cast<size_t>(n));
  if (n < 0) reply += "<no end>";
  return reply;
}

// True when the peer has neither closed `fd` nor sent anything on it yet.
bool open_and_silent(int fd) {
  char c;
  return ::recv(fd, &c, 1, MSG_DONTWAIT) < 0 && errno == EAGAIN;
}

std::string request_for(const std::string& path, const std::string& method = "GET") {
  return method + " " + path + " HTTP/1.1\r\nHost: x\r\nAccept: */*\r\n\r\n";
}

// Sends `request` to `to` and reads until the server closes.
std::string round_trip(const net::Endpoint& to, const std::string& request) {
  int fd = connect_to(to);
  if (fd < 0) return "connect failed";
  send_all(fd, request);
  ::shutdown(fd, SHUT_WR);  // as curl does not, but lets a request-less client end at once
  std::string reply = read_to_end(fd);
  ::close(fd);
  return reply;
}

std::string get(const net::Endpoint& to, const std::string& path,
                const std::string& method = "GET") {
  return round_trip(to, request_for(path, method));
}

std::string body_of(const std::string& reply) {
  size_t end = reply.find("\r\n\r\n");
  return end == std::string::npos ? "" : reply.substr(end + 4);
}

// True for a 200 whose body is as long as its Content-Length says: nothing cut off.
bool complete_ok(const std::string& reply) {
  if (reply.rfind("HTTP/1.1 200 OK\r\n", 0) != 0) return false;
  size_t at = reply.find("Content-Length: ");
  if (at == std::string::npos) return false;
  return std::strtoull(reply.c_str() + at + 16, nullptr, 10) == body_of(reply).size();
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

// A client that connects and says nothing (a port scanner, a stuck scraper) holds only its
// own slot: the scrape behind it is answered while it is still connected and silent.
TEST_F(MetricsServerTest, SilentClientDoesNotHoldUpTheNextScrape) {
  int silent = connect_to(server_->local());
  ASSERT_GE(silent, 0);
  std::string reply = get(server_->local(), "/metrics");
  EXPECT_TRUE(complete_ok(reply)) << reply;
  // Closed already would mean the scrape waited for the silent client's deadline.
  EXPECT_TRUE(open_and_silent(silent));
  ::close(silent);
}

TEST_F(MetricsServerTest, TwentyConcurrentClientsAllGetCompleteScrapes) {
  constexpr int kClients = 20;
  std::vector<int> fds;
  for (int i = 0; i < kClients; ++i) fds.push_back(connect_to(server_->local()));
  for (int fd : fds) ASSERT_GE(fd, 0);
  // All connected before any asks, so the server holds them all at once.
  std::vector<std::string> replies(kClients);
  std::vector<std::thread> threads;
  for (int i = 0; i < kClients; ++i) {
    threads.emplace_back([&, i] {
      send_all(fds[i], request_for("/metrics"));
      replies[i] = read_to_end(fds[i]);
    });
  }
  for (auto& t : threads) t.join();
  for (int i = 0; i < kClients; ++i) {
    ::close(fds[i]);
    EXPECT_TRUE(complete_ok(replies[i])) << "client " << i << ": " << replies[i];
    EXPECT_EQ(read_exposition(body_of(replies[i]))
                  .value("sipedge_sip_requests_total",
                         {{"direction", "in"}, {"transport", "udp"}, {"method", "OPTIONS"}}),
              2)
        << "client " << i;
  }
}

TEST_F(MetricsServerTest, SilentClientIsClosedAtItsDeadline) {
  int silent = connect_to(server_->local());
  ASSERT_GE(silent, 0);
  char c;
  EXPECT_EQ(::recv(silent, &c, 1, 0), 0) << "not closed within the 5 s guard";
  ::close(silent);
}

// A scrape larger than what the sockets buffer (~4 MB on loopback) is sent as the client
// reads it, while other clients are served.
TEST_F(MetricsServerTest, SlowReaderOfALargeScrapeDoesNotHoldUpOthers) {
  std::vector<std::pair<std::string, int64_t>> certificates;
  for (int i = 0; i < 45000; ++i)
    certificates.emplace_back("/etc/sipedge/tls/" + std::string(60, 'c') + std::to_string(i),
                              int64_t{4000000000});
  registry_.set_tls_certificates(std::move(certificates));
  int slow = connect_to(server_->local());
  ASSERT_GE(slow, 0);
  send_all(slow, request_for("/metrics"));
  pollfd started{slow, POLLIN, 0};
  ASSERT_EQ(::poll(&started, 1, 5000), 1) << "no response within the 5 s guard";
  EXPECT_EQ(body_of(get(server_->local(), "/healthz")), "ok\n");
  std::string reply = read_to_end(slow);
  ::close(slow);
  EXPECT_GT(reply.size(), size_t{6} << 20);  // over what the sockets buffer
  EXPECT_TRUE(complete_ok(reply)) << reply.substr(0, 200) << " ... " << reply.size() << " bytes";
}

// With every slot taken, the next connection waits in the accept queue (not refused, not
// served past the limit) and is served as soon as a slot frees.
TEST_F(MetricsServerTest, FullTableServesTheNextClientWhenASlotFrees) {
  std::vector<int> silent;
  for (size_t i = 0; i < MetricsServer::kMaxClients; ++i) {
    silent.push_back(connect_to(server_->local()));
    ASSERT_GE(silent.back(), 0);
  }
  int next = connect_to(server_->local());
  ASSERT_GE(next, 0);
  send_all(next, request_for("/healthz"));
  // Accepted first (the queue is in order), the silent clients hold every slot: nothing
  // answers until one frees (their deadline is seconds away).
  pollfd waiting{next, POLLIN, 0};
  EXPECT_EQ(::poll(&waiting, 1, 100), 0) << "served beyond kMaxClients";
  ::close(silent.back());
  silent.pop_back();
  EXPECT_EQ(body_of(read_to_end(next)), "ok\n");
  ::close(next);
  for (int fd : silent) {
    EXPECT_TRUE(open_and_silent(fd));
    ::close(fd);
  }
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

// The server in a child process with RLIMIT_NOFILE lowered so that it has descriptors for
// two connections: the third and later stay queued and accept fails with EMFILE. The test
// process's own limit is untouched. Over the pipes the parent asks for accept_pauses() with
// 'p'; closing `commands` stops the child.
struct ExhaustedServer {
  pid_t pid = -1;
  int replies = -1;   // the child's port, then one uint64_t accept_pauses() per 'p'
  int commands = -1;  // the parent's 'p's

  // Starts the child; false when it could not be started or did not report its port.
  bool start(uint16_t* port) {
    int to_parent[2], to_child[2];
    if (::pipe2(to_parent, O_CLOEXEC) != 0 || ::pipe2(to_child, O_CLOEXEC) != 0) return false;
    pid = ::fork();
    if (pid < 0) return false;
    if (pid == 0) {
      ::close(to_parent[0]);
      ::close(to_child[1]);
      ::_exit(run_child(to_child[0], to_parent[1]));
    }
    ::close(to_parent[1]);
    ::close(to_child[0]);
    replies = to_parent[0];
    commands = to_child[1];
    return ::read(replies, port, sizeof(*port)) == sizeof(*port);
  }

  // The child's accept_pauses(), or UINT64_MAX when it has gone.
  uint64_t pauses() {
    uint64_t n = UINT64_MAX;
    if (::write(commands, "p", 1) != 1 || ::read(replies, &n, sizeof(n)) != sizeof(n))
      return UINT64_MAX;
    return n;
  }

  // Seconds of CPU the child has used (its main thread sleeps in read(): this is the server).
  double cpu_seconds() const {
    std::ifstream in("/proc/" + std::to_string(pid) + "/stat");
    std::string stat((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
    // Fields after "(comm)": state is field 3, utime and stime are fields 14 and 15.
    std::istringstream fields(stat.substr(stat.rfind(')') + 2));
    std::string skip;
    for (int i = 3; i < 14; ++i) fields >> skip;
    double utime = 0, stime = 0;
    fields >> utime >> stime;
    return (utime + stime) / static_cast<double>(::sysconf(_SC_CLK_TCK));
  }

  // Stops the child (once; later calls return -1); its exit status, 0 when it ran as meant.
  int stop() {
    if (pid <= 0) return -1;
    ::close(commands);
    ::close(replies);
    int status = 0;
    pid_t waited = ::waitpid(pid, &status, 0);
    pid = -1;
    if (waited <= 0) return -1;
    return WIFEXITED(status) ? WEXITSTATUS(status) : 128 + WTERMSIG(status);
  }
  // A failed assertion returns early: the child still ends (its read of `commands` sees EOF).
  ~ExhaustedServer() { stop(); }

  static int run_child(int commands, int replies) {
    ::alarm(30);  // a hang guard: a stuck child dies and the parent's reads end
    Registry registry(1, {});
    auto server = MetricsServer::start(loopback(0), registry, "");
    if (!server) return 2;
    // Room for a few descriptors above those open now, filled to leave exactly two free.
    int highest = 0;
    DIR* dir = ::opendir("/proc/self/fd");
    if (dir == nullptr) return 3;
    while (dirent* e = ::readdir(dir)) highest = std::max(highest, std::atoi(e->d_name));
    ::closedir(dir);
    rlimit limit;
    ::getrlimit(RLIMIT_NOFILE, &limit);
    limit.rlim_cur = static_cast<rlim_t>(highest + 8);
    if (::setrlimit(RLIMIT_NOFILE, &limit) != 0) return 4;
    std::vector<int> fillers;
    for (int fd; (fd = ::open("/dev/null", O_RDONLY | O_CLOEXEC)) >= 0;) fillers.push_back(fd);
    if (errno != EMFILE || fillers.size() < 2) return 5;
    ::close(fillers.back());
    fillers.pop_back();
    ::close(fillers.back());
    fillers.pop_back();
    uint16_t port = (*server)->local().port;
    if (::write(replies, &port, sizeof(port)) != sizeof(port)) return 6;
    char command;
    while (::read(commands, &command, 1) == 1) {
      uint64_t n = (*server)->accept_pauses();
      if (::write(replies, &n, sizeof(n)) != sizeof(n)) return 7;
    }
    server->reset();
    return 0;
  }
};

TEST(MetricsServer, OutOfDescriptorsItPausesAcceptInsteadOfSpinningAndRecovers) {
  ExhaustedServer child;
  uint16_t port = 0;
  ASSERT_TRUE(child.start(&port)) << "child exited " << child.stop();
  net::Endpoint server = loopback(port);
  // Two silent clients take the child's last descriptors; the next ones, each with its
  // request sent, wait in the accept queue.
  std::vector<int> silent, queued;
  for (int i = 0; i < 2; ++i) silent.push_back(connect_to(server));
  for (int i = 0; i < 4; ++i) {
    queued.push_back(connect_to(server));
    send_all(queued.back(), request_for("/healthz"));
  }
  for (int fd : silent) ASSERT_GE(fd, 0);
  for (int fd : queued) ASSERT_GE(fd, 0);
  uint64_t before = 0;
  for (int i = 0; i < 500 && (before = child.pauses()) == 0; ++i)
    std::this_thread::sleep_for(std::chrono::milliseconds(10));
  ASSERT_GT(before, 0u) << "accept never failed with EMFILE";
  ASSERT_NE(before, UINT64_MAX) << "child exited " << child.stop();

  auto t0 = std::chrono::steady_clock::now();
  double cpu0 = child.cpu_seconds();
  std::this_thread::sleep_for(std::chrono::milliseconds(500));
  double cpu1 = child.cpu_seconds();
  uint64_t after = child.pauses();
  double window = std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
  // Retrying at once would use the whole core and count a pause per failed accept.
  EXPECT_LT(cpu1 - cpu0, 0.2 * window) << "over " << window << " s";
  EXPECT_LE(after - before, 20u) << "over " << window << " s";

  // The shortage ends: every queued client, and a new one, is served.
  for (int fd : silent) ::close(fd);
  for (size_t i = 0; i < queued.size(); ++i) {
    EXPECT_EQ(body_of(read_to_end(queued[i])), "ok\n") << "queued client " << i;
    ::close(queued[i]);
  }
  EXPECT_EQ(body_of(get(server, "/healthz")), "ok\n");
  EXPECT_EQ(child.stop(), 0);
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
