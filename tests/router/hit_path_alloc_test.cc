// (-Wmismatched-new-delete cannot see that operator new here is malloc.)
// The router's promise for a request whose next hop is cached: no heap allocation on the
// way through the worker (receive, parse, plan, policy, target cache, rewrite, send). A real
// worker runs on its own thread with a real ring and real sockets on loopback; every
// operator new in the process is counted while a thousand requests go through.
#include <gtest/gtest.h>
#include <netinet/in.h>
#include <sys/eventfd.h>
#include <sys/socket.h>

#include <atomic>
#include <cerrno>
#include <cstdlib>
#include <cstring>
#include <new>
#include <string>
#include <thread>

#include "config/daemon_config.h"
#include "metrics/registry.h"
#include "policy/rule.h"
#include "resolve/dns_cache.h"
#include "router/router_snapshot.h"
#include "router/worker.h"

namespace {
std::atomic<uint64_t> g_allocations{0};
}  // namespace

void* operator new(size_t n) {
  g_allocations.fetch_add(1, std::memory_order_relaxed);
  if (void* p = std::malloc(n ? n : 1)) return p;
  throw std::bad_alloc();
}
void* operator new[](size_t n) { return operator new(n); }
void operator delete(void* p) noexcept { std::free(p); }
void operator delete[](void* p) noexcept { std::free(p); }
void operator delete(void* p, size_t) noexcept { std::free(p); }
void operator delete[](void* p, size_t) noexcept { std::free(p); }

namespace sipedge::router {
namespace {

net::UniqueFd bound_udp(uint16_t* port) {
  net::UniqueFd fd(socket(AF_INET, SOCK_DGRAM | SOCK_CLOEXEC, 0));
  sockaddr_in a{};
  a.sin_family = AF_INET;
  a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  bind(fd.get(), reinterpret_cast<sockaddr*>(&a), sizeof(a));
  socklen_t len = sizeof(a);
  getsockname(fd.get(), reinterpret_cast<sockaddr*>(&a), &len);
  *port = ntohs(a.sin_port);
  timeval tv{5, 0};
  setsockopt(fd.get(), SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof(tv));
  return fd;
}

uint16_t free_port() {
  uint16_t p = 0;
  bound_udp(&p);
  return p;
}

TEST(HitPath, CachedRequestsAllocateNothing) {
  uint16_t sink_port = 0, client_port = 0;
  net::UniqueFd sink = bound_udp(&sink_port);
  net::UniqueFd client = bound_udp(&client_port);
  uint16_t edge_port = free_port();

  config::DaemonConfig cfg;
  config::ListenerConfig l;
  l.transport = resolve::Transport::kUdp;
  ASSERT_TRUE(net::parse_endpoint("127.0.0.1:" + std::to_string(edge_port), &l.endpoint));
  cfg.listeners.push_back(l);
  cfg.dns.servers = {"127.0.0.1:9"};  // never asked: the next hop is numeric
  auto snap = build_snapshot(cfg, trust::BranchKey{});
  ASSERT_TRUE(snap) << snap.error();
  SnapshotSlot slot;
  slot.publish(*snap);
  resolve::DnsCache cache;
  std::vector<std::string_view> rules;
  for (size_t i = 0; i < policy::kRuleCount; ++i)
    rules.push_back(policy::rule_name(static_cast<policy::Rule>(i)));
  metrics::Registry registry(1, rules);
  WorkerShared shared;
  shared.features = net::probe_uring_features();
  if (!shared.features.multishot_recvmsg) GTEST_SKIP() << "kernel without multishot recvmsg";
  shared.dns_cache = &cache;
  shared.snapshot = &slot;
  HopQuarantine quarantine(64, 30'000);
  shared.quarantine = &quarantine;
  net::UniqueFd wake(eventfd(0, EFD_NONBLOCK | EFD_CLOEXEC));
  std::atomic<bool> started{false};
  std::string error;
  std::thread worker([&] {
    auto w = Worker::create(0, shared, registry.worker(0), wake.get());
    if (!w) {
      error = w.error();
      started = true;
      return;
    }
    started = true;
    (*w)->run(0);
  });
  while (!started) std::this_thread::yield();
  // From here on the worker thread must be joined whatever happens: no early return.
  auto stop_worker = [&] {
    shared.stop = true;
    uint64_t one = 1;
    EXPECT_EQ(write(wake.get(), &one, sizeof(one)), 8);
    worker.join();
  };
  if (!error.empty()) {
    stop_worker();
    FAIL() << error;
  }

  std::string request = "MESSAGE sip:bench@127.0.0.1:" + std::to_string(sink_port) +
                        " SIP/2.0\r\n"
                        "Via: SIP/2.0/UDP 127.0.0.1:" +
                        std::to_string(client_port) +
                        ";branch=z9hG4bK-alloc-1;rport\r\n"
                        "Max-Forwards: 70\r\n"
                        "From: <sip:a@example.com>;tag=1\r\n"
                        "To: <sip:bench@example.com>\r\n"
                        "Call-ID: alloc-test@example.com\r\n"
                        "CSeq: 1 MESSAGE\r\n"
                        "Content-Length: 0\r\n\r\n";
  sockaddr_in edge{};
  edge.sin_family = AF_INET;
  edge.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  edge.sin_port = htons(edge_port);
  char buf[4096];
  int last_errno = 0;
  auto send_and_receive = [&](int n) {
    int got = 0;
    for (int i = 0; i < n; ++i) {
      sendto(client.get(), request.data(), request.size(), 0, reinterpret_cast<sockaddr*>(&edge),
             sizeof(edge));
      // io_uring teardown of the feature-probe rings may interrupt this thread once (task
      // work); a socket with a receive timeout then reports EINTR instead of restarting.
      ssize_t r;
      do {
        r = recv(sink.get(), buf, sizeof(buf), 0);
      } while (r < 0 && errno == EINTR);
      if (r > 0)
        ++got;
      else
        last_errno = errno;
    }
    return got;
  };
  // Warm-up: the first request resolves (numeric) and fills the target cache; the next ones
  // touch every lazily grown structure once.
  int warm = send_and_receive(50);
  uint64_t before = g_allocations.load();
  int got = send_and_receive(1000);
  uint64_t after = g_allocations.load();
  stop_worker();
  EXPECT_EQ(warm, 50);
  EXPECT_EQ(got, 1000) << "last recv error: " << std::strerror(last_errno);
  EXPECT_EQ(after - before, 0u) << "allocations while forwarding 1000 cached requests";
  EXPECT_NE(std::string(buf, 8), "SIP/2.0 ");  // the sink got requests, not our error replies
}

}  // namespace
}  // namespace sipedge::router
