// AresDriver construction: server lists in HOST:PORT / [V6]:PORT form, errors that name
// the fault, and an idle driver's event-loop view. No packets are sent.
#include "resolve/ares_driver.h"

#include <gtest/gtest.h>
#include <netinet/in.h>
#include <sys/socket.h>
#include <unistd.h>

#include <atomic>
#include <string>
#include <thread>

#include "resolve/poll_loop.h"

namespace sipedge::resolve {
namespace {

TEST(AresDriver, AcceptsIpv4AndIpv6ServersWithPorts) {
  AresOptions o;
  o.servers = {"127.0.0.1:53531", "[::1]:53531"};
  auto d = AresDriver::create(o);
  ASSERT_TRUE(d.has_value()) << d.error();
  EXPECT_EQ((*d)->in_flight(), 0u);
  EXPECT_TRUE((*d)->sockets().empty());
  EXPECT_EQ((*d)->next_timeout_ms(250), 250);  // idle: nothing due before the cap
}

TEST(AresDriver, RejectsAServerThatIsNotAnAddress) {
  AresOptions o;
  o.servers = {"not-an-address"};
  auto d = AresDriver::create(o);
  ASSERT_FALSE(d.has_value());
  EXPECT_NE(d.error().find("not-an-address"), std::string::npos);
}

TEST(AresDriver, RejectsSeveralServersInOneEntry) {
  AresOptions o;
  o.servers = {"127.0.0.1:53,127.0.0.2:53"};
  EXPECT_FALSE(AresDriver::create(o).has_value());
}

// A loopback UDP port nobody listens on (bound, then closed): queries to it fail fast
// with ICMP port unreachable.
int closed_udp_port() {
  const int fd = socket(AF_INET, SOCK_DGRAM, 0);
  sockaddr_in a{};
  a.sin_family = AF_INET;
  a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  bind(fd, reinterpret_cast<sockaddr*>(&a), sizeof a);
  socklen_t len = sizeof a;
  getsockname(fd, reinterpret_cast<sockaddr*>(&a), &len);
  close(fd);
  return ntohs(a.sin_port);
}

TEST(AresDriver, TimersRunFromProcessTimeoutsAndCountAsInFlight) {
  auto d = AresDriver::create(AresOptions{{"127.0.0.1:53531"}, 1000, 1});
  ASSERT_TRUE(d.has_value()) << d.error();
  int ran = 0;
  (*d)->schedule(0, [&] { ++ran; });
  const auto cancelled = (*d)->schedule(0, [&] { ran += 100; });
  EXPECT_EQ((*d)->in_flight(), 2u);
  (*d)->cancel(cancelled);
  EXPECT_EQ((*d)->in_flight(), 1u);
  EXPECT_EQ((*d)->next_timeout_ms(250), 0);
  (*d)->process_timeouts();
  EXPECT_EQ(ran, 1);
  EXPECT_EQ((*d)->in_flight(), 0u);
}

// A loopback DNS "server" that answers every query NXDOMAIN, on its own thread.
class NxDomainResponder {
 public:
  // Swallows the first `drop_first` queries (a server that is silent, then comes back).
  explicit NxDomainResponder(int drop_first = 0) : drop_first_(drop_first) {
    fd_ = socket(AF_INET, SOCK_DGRAM, 0);
    sockaddr_in a{};
    a.sin_family = AF_INET;
    a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    bind(fd_, reinterpret_cast<sockaddr*>(&a), sizeof a);
    socklen_t len = sizeof a;
    getsockname(fd_, reinterpret_cast<sockaddr*>(&a), &len);
    port_ = ntohs(a.sin_port);
    timeval tv{0, 50'000};
    setsockopt(fd_, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof tv);
    thread_ = std::thread([this] {
      unsigned char buf[512];
      while (!stop_) {
        sockaddr_in from{};
        socklen_t fl = sizeof from;
        const ssize_t n =
            recvfrom(fd_, buf, sizeof buf, 0, reinterpret_cast<sockaddr*>(&from), &fl);
        if (n < 12) continue;
        if (drop_first_ > 0) {
          --drop_first_;
          continue;
        }
        buf[2] |= 0x80;         // QR
        buf[3] = 0x83;          // RA, NXDOMAIN
        buf[10] = buf[11] = 0;  // no additional (drops the EDNS OPT record)
        ++answered_;
        sendto(fd_, buf, static_cast<size_t>(n), 0, reinterpret_cast<sockaddr*>(&from), fl);
      }
    });
  }
  ~NxDomainResponder() {
    stop_ = true;
    thread_.join();
    close(fd_);
  }
  std::string server() const { return "127.0.0.1:" + std::to_string(port_); }
  int answered() const { return answered_; }

 private:
  int drop_first_;
  int fd_ = -1;
  int port_ = 0;
  std::atomic<bool> stop_{false};
  std::atomic<int> answered_{0};
  std::thread thread_;
};

int query_status(AresDriver& d, const std::string& name) {
  int status = -1;
  d.query(name, RrType::kA, [&](int s, const unsigned char*, int) { status = s; });
  run_poll_loop(d, [&] { return status != -1; });
  return status;
}

TEST(AresDriver, ADeadFirstServerGoesBehindAHealthyOne) {
  NxDomainResponder good;
  const std::string dead = "127.0.0.1:" + std::to_string(closed_udp_port());
  auto d = AresDriver::create(AresOptions{{dead, good.server()}, 200, 1});
  ASSERT_TRUE(d.has_value()) << d.error();
  EXPECT_EQ((*d)->first_server(), 0u);
  EXPECT_EQ(query_status(**d, "a.example.test"), ARES_ENOTFOUND);
  EXPECT_TRUE((*d)->server_down(0));
  EXPECT_FALSE((*d)->server_down(1));
  EXPECT_EQ((*d)->first_server(), 1u);  // the next query starts at the healthy server
  EXPECT_EQ(query_status(**d, "b.example.test"), ARES_ENOTFOUND);
  EXPECT_EQ(good.answered(), 2);
  EXPECT_TRUE((*d)->server_down(0));  // not asked again while the other one answers
}

// A bound UDP socket nobody reads: queries to it vanish (no ICMP), like a dead server.
class SilentServer {
 public:
  SilentServer() {
    fd_ = socket(AF_INET, SOCK_DGRAM, 0);
    sockaddr_in a{};
    a.sin_family = AF_INET;
    a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    bind(fd_, reinterpret_cast<sockaddr*>(&a), sizeof a);
    socklen_t len = sizeof a;
    getsockname(fd_, reinterpret_cast<sockaddr*>(&a), &len);
    port_ = ntohs(a.sin_port);
  }
  ~SilentServer() { close(fd_); }
  std::string server() const { return "127.0.0.1:" + std::to_string(port_); }

 private:
  int fd_ = -1;
  int port_ = 0;
};

TEST(AresDriver, ASilentFirstServerCostsTheNextServerDelayNotItsTimeout) {
  SilentServer dead;
  NxDomainResponder good;
  // A 10 s budget at the silent server; the next server is asked after 50 ms.
  AresOptions o{{dead.server(), good.server()}, 5000, 1};
  o.next_server_after_ms = 50;
  auto d = AresDriver::create(o);
  ASSERT_TRUE(d.has_value()) << d.error();
  int status = -1;
  size_t in_flight_at_answer = 0;
  (*d)->query("a.example.test", RrType::kA, [&](int s, const unsigned char*, int) {
    status = s;
    in_flight_at_answer = (*d)->in_flight();
  });
  run_poll_loop(**d, [&] { return status != -1; });
  EXPECT_EQ(status, ARES_ENOTFOUND);
  // The answer came while the silent server's query was still waiting: the second server
  // was asked alongside it, not after its timeout.
  EXPECT_GE(in_flight_at_answer, 1u);
  EXPECT_EQ(good.answered(), 1);
  EXPECT_TRUE((*d)->server_down(0));  // beaten to the answer: behind the good one now
  EXPECT_EQ((*d)->first_server(), 1u);
}

TEST(AresDriver, ADownServerIsProbedInTheBackgroundUntilItAnswers) {
  NxDomainResponder flaky(/*drop_first=*/1);
  NxDomainResponder good;
  AresOptions o{{flaky.server(), good.server()}, 5000, 1};
  o.next_server_after_ms = 20;
  o.probe_interval_ms = 20;
  auto d = AresDriver::create(o);
  ASSERT_TRUE(d.has_value()) << d.error();
  int status = -1;
  (*d)->query("a.example.test", RrType::kA, [&](int s, const unsigned char*, int) { status = s; });
  run_poll_loop(**d, [&] { return status != -1; });
  EXPECT_EQ(status, ARES_ENOTFOUND);
  ASSERT_TRUE((*d)->server_down(0));
  // No user query from here on: only the probe can bring the first server back.
  run_poll_loop(**d, [&] { return !(*d)->server_down(0); });
  EXPECT_FALSE((*d)->server_down(0));
  EXPECT_GE((*d)->probes_sent(), 1u);
  EXPECT_EQ((*d)->probes_answered(), 1u);
  EXPECT_EQ((*d)->first_server(), 0u);  // configured order again
}

TEST(AresDriver, ASilentServerGoesBehindTheOthersUntilItAnswers) {
  const std::string dead = "127.0.0.1:" + std::to_string(closed_udp_port());
  const std::string also_dead = "127.0.0.1:" + std::to_string(closed_udp_port());
  auto d = AresDriver::create(AresOptions{{dead, also_dead}, 200, 1});
  ASSERT_TRUE(d.has_value()) << d.error();
  EXPECT_EQ((*d)->first_server(), 0u);
  int status = -1;
  (*d)->query("pbx.example.test", RrType::kA,
              [&](int s, const unsigned char*, int) { status = s; });
  run_poll_loop(**d, [&] { return status != -1; });
  EXPECT_NE(status, ARES_SUCCESS);
  // Both timed out (no answer): both are down, and the order is the configured one again.
  EXPECT_TRUE((*d)->server_down(0));
  EXPECT_TRUE((*d)->server_down(1));
  EXPECT_EQ((*d)->first_server(), 0u);
}

TEST(AresDriver, ABadNameIsRefusedLocallyWithoutMarkingServersDown) {
  auto d = AresDriver::create(AresOptions{{"127.0.0.1:53531"}, 200, 1});
  ASSERT_TRUE(d.has_value()) << d.error();
  int status = -1;
  (*d)->query(std::string(64, 'a') + ".test", RrType::kA,
              [&](int s, const unsigned char*, int) { status = s; });
  run_poll_loop(**d, [&] { return status != -1; });
  EXPECT_EQ(status, ARES_EBADNAME);
  EXPECT_FALSE((*d)->server_down(0));
}

}  // namespace
}  // namespace sipedge::resolve
