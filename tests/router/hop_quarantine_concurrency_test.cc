// HopQuarantine is shared by every worker: writers and readers on several threads at once
// (run under TSan by `make test-tsan`). Races may lose an update (advisory) but must not be
// data races, and a hop no writer touched must never read as quarantined.
#include <gtest/gtest.h>

#include <atomic>
#include <thread>
#include <vector>

#include "router/target_cache.h"

namespace sipedge::router {
namespace {

HopTarget hop(int i) {
  HopTarget t;
  t.transport = resolve::Transport::kUdp;
  t.endpoint.address.family = 4;
  t.endpoint.address.bytes = {198, 51, 100, static_cast<uint8_t>(i)};
  t.endpoint.port = static_cast<uint16_t>(5060 + i / 256);
  return t;
}

TEST(HopQuarantineConcurrency, WorkersMarkAndReadTheSameSlotsAtOnce) {
  // 16 slots for 64 written hops: groups collide and slots are taken over all the time.
  HopQuarantine q(16, 500);
  constexpr int kWritten = 64;
  constexpr int kThreads = 4;
  constexpr int kRounds = 20'000;
  std::atomic<int> untouched_seen_quarantined{0};
  std::vector<std::thread> threads;
  for (int w = 0; w < kThreads; ++w) {
    threads.emplace_back([&, w] {
      for (int r = 0; r < kRounds; ++r) {
        int64_t now = r;
        HopTarget t = hop((r * 7 + w) % kWritten);
        switch ((r + w) % 4) {
          case 0:
            q.mark_answered(t, now);
            break;
          case 1:
            q.report_icmp_error(t, now);
            break;
          case 2:
            if (r % 64 == 0) q.mark_failed(t, now);
            break;
          default:
            q.is_quarantined(t, now);
        }
        // Hops kWritten.. are never written.
        if (q.is_quarantined(hop(kWritten + (r % 64)), now)) ++untouched_seen_quarantined;
      }
    });
  }
  for (std::thread& t : threads) t.join();
  EXPECT_EQ(untouched_seen_quarantined.load(), 0);
  // Quiet again: the table still works.
  HopTarget last = hop(1);
  q.mark_failed(last, kRounds + 1);
  EXPECT_TRUE(q.is_quarantined(last, kRounds + 1));
}

}  // namespace
}  // namespace sipedge::router
