// Scrapes racing the workers: two threads increment their own blocks while a third renders.
// Built for TSan too (label "tsan"): the single-writer relaxed load+store must be race-free,
// and no scrape may see a counter go backwards or a histogram whose +Inf differs from count.
#include <gtest/gtest.h>

#include <atomic>
#include <map>
#include <string>
#include <thread>

#include "exposition_reader.h"
#include "metrics/registry.h"

namespace sipedge::metrics {
namespace {

using resolve::Transport;
using testing::read_exposition;

constexpr int kScrapes = 60;

// Counts until told to stop; returns how many rounds it did.
void work(WorkerMetrics& w, const std::atomic<bool>& stop, uint64_t* rounds,
          std::atomic<int>* started) {
  uint64_t n = 0;
  bool announced = false;
  // At least a few rounds each, even when the scraper finishes before this thread is
  // scheduled (a loaded CI machine): the totals must then still add up to something.
  while (!stop.load(std::memory_order_relaxed) || n < 1000) {
    if (!announced && n == 1000) {
      started->fetch_add(1);
      announced = true;
    }
    w.count_request(Direction::kIn, Transport::kUdp, Method::kInvite);
    w.observe_forward_latency_us(n % 2000);
    w.connections_opened();
    w.connections_closed();
    ++n;
  }
  *rounds = n;
}

TEST(Concurrency, ScrapesWhileTwoWorkersCountSeeMonotoneConsistentTotals) {
  Registry registry(2, {});
  std::atomic<bool> stop{false};
  uint64_t rounds[2] = {0, 0};
  std::atomic<int> started{0};
  std::thread a(work, std::ref(registry.worker(0)), std::cref(stop), &rounds[0], &started);
  std::thread b(work, std::ref(registry.worker(1)), std::cref(stop), &rounds[1], &started);
  const std::map<std::string, std::string> invite = {
      {"direction", "in"}, {"transport", "udp"}, {"method", "INVITE"}};

  double last_requests = 0;
  double last_count = 0;
  for (int i = 0; i < kScrapes; ++i) {
    auto e = read_exposition(registry.render_text());
    ASSERT_TRUE(e.errors.empty());
    double requests = e.value("sipedge_sip_requests_total", invite).value_or(0);
    EXPECT_GE(requests, last_requests);
    last_requests = requests;
    auto buckets = e.all("sipedge_forward_latency_seconds_bucket");
    ASSERT_EQ(buckets.size(), kLatencyBucketCount);
    double count = e.value("sipedge_forward_latency_seconds_count").value_or(-1);
    EXPECT_EQ(buckets.back().value, count);
    EXPECT_GE(count, last_count);
    last_count = count;
    for (size_t k = 1; k < buckets.size(); ++k) EXPECT_GE(buckets[k].value, buckets[k - 1].value);
    auto open = e.value("sipedge_connections_open");
    ASSERT_TRUE(open);
    EXPECT_GE(*open, 0);
    EXPECT_LE(*open, 2);
  }
  while (started.load() < 2) std::this_thread::yield();
  stop.store(true);
  a.join();
  b.join();

  auto e = read_exposition(registry.render_text());
  double total = static_cast<double>(rounds[0] + rounds[1]);
  EXPECT_EQ(e.value("sipedge_sip_requests_total", invite), total);
  EXPECT_EQ(e.value("sipedge_forward_latency_seconds_count"), total);
  EXPECT_EQ(e.value("sipedge_connections_open"), 0);
  EXPECT_GE(total, last_requests);
  EXPECT_GE(total, 2000);
}

}  // namespace
}  // namespace sipedge::metrics
