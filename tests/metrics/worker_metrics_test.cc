// Per-worker blocks: what each count_* call adds, and that a scrape sums every worker.
#include "metrics/worker_metrics.h"

#include <gtest/gtest.h>

#include "exposition_reader.h"
#include "metrics/registry.h"

namespace sipedge::metrics {
namespace {

using resolve::Transport;
using testing::read_exposition;

TEST(MethodFrom, RfcNamesMatchExactlyAndEverythingElseIsOther) {
  EXPECT_EQ(method_from("INVITE"), Method::kInvite);
  EXPECT_EQ(method_from("PUBLISH"), Method::kPublish);
  EXPECT_EQ(method_from("PRACK"), Method::kPrack);
  EXPECT_EQ(method_from("invite"), Method::kOther);  // method names are case-sensitive
  EXPECT_EQ(method_from("INVITEX"), Method::kOther);
  EXPECT_EQ(method_from(""), Method::kOther);
  EXPECT_EQ(method_from("OTHER"), Method::kOther);
  for (size_t i = 0; i + 1 < count_of<Method>(); ++i)
    EXPECT_EQ(method_from(method_label(static_cast<Method>(i))), static_cast<Method>(i));
}

TEST(WorkerMetrics, BlocksAreCacheLineAlignedAndDoNotShareLines) {
  EXPECT_EQ(alignof(WorkerMetrics), 64u);
  EXPECT_EQ(sizeof(WorkerMetrics) % 64, 0u);
  Registry registry(2, {});
  auto a = reinterpret_cast<uintptr_t>(&registry.worker(0));
  auto b = reinterpret_cast<uintptr_t>(&registry.worker(1));
  EXPECT_EQ(a % 64, 0u);
  EXPECT_GE(b - a, sizeof(WorkerMetrics));
}

TEST(Registry, SumsEveryWorkersBlock) {
  Registry registry(2, {"r6_sips_over_plaintext", "r3_downgrade"});
  WorkerMetrics& w0 = registry.worker(0);
  WorkerMetrics& w1 = registry.worker(1);
  for (int i = 0; i < 3; ++i) w0.count_request(Direction::kIn, Transport::kUdp, Method::kInvite);
  for (int i = 0; i < 4; ++i) w1.count_request(Direction::kIn, Transport::kUdp, Method::kInvite);
  w1.count_request(Direction::kOut, Transport::kTcp, Method::kBye);
  w0.count_response(Direction::kIn, Transport::kUdp, 180);
  w1.count_response(Direction::kIn, Transport::kUdp, 100);
  w1.count_response(Direction::kOut, Transport::kTls, 603);
  w0.count_stateless_reply(483);
  w1.count_stateless_reply(483);
  w1.count_stateless_reply(503);
  w0.count_parse_failure(ParseFailure::kGarbage);
  w1.count_parse_failure(ParseFailure::kGarbage);
  w0.count_policy(0, kVerdictReject);
  w1.count_policy(1, kVerdictAllow);
  w1.count_policy(1, kVerdictAllow);
  w0.count_resolve(ResolveOutcome::kTargets);
  w1.count_resolve(ResolveOutcome::kDnsFailure);
  w0.count_cache(true);
  w1.count_cache(true);
  w1.count_cache(false);
  w0.count_stale();
  w0.connections_opened();
  w0.connections_opened();
  w1.connections_opened();
  w0.connections_closed();
  w1.count_drop(DropReason::kWriteQueueFull);
  w0.count_failover();
  w1.count_downgrade();

  auto e = read_exposition(registry.render_text());
  ASSERT_TRUE(e.errors.empty()) << e.errors.front();
  EXPECT_EQ(e.value("sipedge_sip_requests_total",
                    {{"direction", "in"}, {"transport", "udp"}, {"method", "INVITE"}}),
            7);
  EXPECT_EQ(e.value("sipedge_sip_requests_total",
                    {{"direction", "out"}, {"transport", "tcp"}, {"method", "BYE"}}),
            1);
  EXPECT_EQ(e.all("sipedge_sip_requests_total").size(), 2u);  // only label sets seen
  EXPECT_EQ(e.value("sipedge_sip_responses_total",
                    {{"direction", "in"}, {"transport", "udp"}, {"class", "1xx"}}),
            2);
  EXPECT_EQ(e.value("sipedge_sip_responses_total",
                    {{"direction", "out"}, {"transport", "tls"}, {"class", "6xx"}}),
            1);
  EXPECT_EQ(e.value("sipedge_stateless_replies_total", {{"code", "483"}}), 2);
  EXPECT_EQ(e.value("sipedge_stateless_replies_total", {{"code", "503"}}), 1);
  EXPECT_EQ(e.value("sipedge_parse_errors_total", {{"reason", "garbage"}}), 2);
  EXPECT_EQ(e.value("sipedge_parse_errors_total", {{"reason", "bad_uri"}}), 0);
  EXPECT_EQ(e.value("sipedge_policy_decisions_total",
                    {{"rule", "r6_sips_over_plaintext"}, {"verdict", "reject"}}),
            1);
  EXPECT_EQ(
      e.value("sipedge_policy_decisions_total", {{"rule", "r3_downgrade"}, {"verdict", "allow"}}),
      2);
  EXPECT_EQ(e.value("sipedge_resolutions_total", {{"outcome", "targets"}}), 1);
  EXPECT_EQ(e.value("sipedge_resolutions_total", {{"outcome", "dns_failure"}}), 1);
  EXPECT_EQ(e.value("sipedge_dns_cache_hits_total"), 2);
  EXPECT_EQ(e.value("sipedge_dns_cache_misses_total"), 1);
  EXPECT_EQ(e.value("sipedge_dns_cache_stale_total"), 1);
  EXPECT_EQ(e.value("sipedge_connections_open"), 2);
  EXPECT_EQ(e.value("sipedge_connections_opened_total"), 3);
  EXPECT_EQ(e.value("sipedge_drops_total", {{"reason", "write_queue_full"}}), 1);
  EXPECT_EQ(e.value("sipedge_failovers_total"), 1);
  EXPECT_EQ(e.value("sipedge_sips_downgrades_total"), 1);
  EXPECT_EQ(e.value("sipedge_workers"), 2);
}

TEST(WorkerMetrics, OutOfRangeStatusesAndRulesAreNotCounted) {
  Registry registry(1, {"only_rule"});
  WorkerMetrics& w = registry.worker(0);
  w.count_response(Direction::kIn, Transport::kUdp, 99);
  w.count_response(Direction::kIn, Transport::kUdp, 700);
  w.count_stateless_reply(0);
  w.count_stateless_reply(700);
  w.count_policy(kMaxPolicyRules, kVerdictAllow);
  w.count_policy(0, 2);
  auto e = read_exposition(registry.render_text());
  EXPECT_TRUE(e.all("sipedge_sip_responses_total").empty());
  EXPECT_TRUE(e.all("sipedge_stateless_replies_total").empty());
  EXPECT_EQ(
      e.value("sipedge_policy_decisions_total", {{"rule", "only_rule"}, {"verdict", "allow"}}), 0);
  EXPECT_EQ(
      e.value("sipedge_policy_decisions_total", {{"rule", "only_rule"}, {"verdict", "reject"}}), 0);
}

TEST(WorkerMetrics, ConnectionsOpenIsOpenedMinusClosedOverAllWorkers) {
  Registry registry(2, {});
  registry.worker(0).connections_opened();
  registry.worker(1).connections_opened();
  registry.worker(1).connections_opened();
  registry.worker(1).connections_closed();
  registry.worker(0).connections_closed();
  auto e = read_exposition(registry.render_text());
  EXPECT_EQ(e.value("sipedge_connections_open"), 1);
}

}  // namespace
}  // namespace sipedge::metrics
