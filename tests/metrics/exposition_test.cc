// The rendered text as a scraper sees it: every family has HELP and TYPE and follows the
// naming rules, histograms are cumulative with +Inf == count, the XDP counters come from the
// injected source, and promtool accepts the whole scrape.
#include <gtest/gtest.h>
#include <unistd.h>

#include <cmath>
#include <cstdio>
#include <cstdlib>
#include <fstream>
#include <set>
#include <string>

#include "exposition_reader.h"
#include "metrics/registry.h"

namespace sipedge::metrics {
namespace {

using resolve::Transport;
using testing::read_exposition;
using testing::Sample;

// A registry with something in every family, as after some real traffic.
void fill(Registry& registry) {
  WorkerMetrics& w = registry.worker(0);
  w.count_request(Direction::kIn, Transport::kUdp, Method::kInvite);
  w.count_request(Direction::kOut, Transport::kTcp, Method::kOther);
  w.count_response(Direction::kIn, Transport::kTcp, 200);
  w.count_stateless_reply(400);
  w.count_parse_failure(ParseFailure::kBadHeader);
  w.count_policy(0, kVerdictReject);
  w.count_resolve(ResolveOutcome::kNoTargets);
  w.count_cache(true);
  w.observe_dns_latency_us(700);
  w.observe_forward_latency_us(30);
  w.connections_opened();
  w.count_drop(DropReason::kSendFailed);
}

bool ends_with(const std::string& s, std::string_view suffix) {
  return s.size() >= suffix.size() &&
         s.compare(s.size() - suffix.size(), suffix.size(), suffix) == 0;
}

// The family a sample belongs to (histogram samples carry _bucket/_sum/_count).
std::string family_of(const Sample& s, const testing::Exposition& e) {
  for (std::string_view suffix : {"_bucket", "_sum", "_count"}) {
    if (!ends_with(s.name, suffix)) continue;
    std::string base = s.name.substr(0, s.name.size() - suffix.size());
    if (e.type.count(base) && e.type.at(base) == "histogram") return base;
  }
  return s.name;
}

TEST(Exposition, EveryFamilyHasHelpAndTypeAndFollowsTheNamingRules) {
  Registry registry(1, {"r6"});
  fill(registry);
  auto e = read_exposition(registry.render_text());
  ASSERT_TRUE(e.errors.empty()) << e.errors.front();
  ASSERT_FALSE(e.samples.empty());
  for (const Sample& s : e.samples) {
    std::string family = family_of(s, e);
    ASSERT_TRUE(e.help.count(family)) << s.name;
    ASSERT_TRUE(e.type.count(family)) << s.name;
    EXPECT_FALSE(e.help.at(family).empty()) << family;
    EXPECT_EQ(family.rfind("sipedge_", 0), 0u) << family;
    const std::string& type = e.type.at(family);
    if (type == "counter") {
      EXPECT_TRUE(ends_with(family, "_total")) << family;
    } else if (type == "histogram") {
      EXPECT_TRUE(ends_with(family, "_seconds")) << family;
    } else {
      EXPECT_EQ(type, "gauge") << family;
      EXPECT_FALSE(ends_with(family, "_total")) << family;
    }
  }
  EXPECT_EQ(e.type.at("sipedge_build_info"), "gauge");
  auto build = e.all("sipedge_build_info");
  ASSERT_EQ(build.size(), 1u);
  EXPECT_EQ(build[0].value, 1);
  EXPECT_FALSE(build[0].labels.at("version").empty());
}

TEST(Exposition, LabelValuesAreTheDocumentedNames) {
  Registry registry(1, {});
  fill(registry);
  auto e = read_exposition(registry.render_text());
  std::set<std::string> reasons;
  for (const Sample& s : e.all("sipedge_parse_errors_total")) reasons.insert(s.labels.at("reason"));
  EXPECT_EQ(reasons.size(), count_of<ParseFailure>());
  EXPECT_TRUE(reasons.count("garbage"));
  EXPECT_TRUE(reasons.count("too_large"));
  std::set<std::string> drops;
  for (const Sample& s : e.all("sipedge_drops_total")) drops.insert(s.labels.at("reason"));
  EXPECT_EQ(drops.size(), count_of<DropReason>());
  EXPECT_TRUE(drops.count("pending_queue_full"));
  EXPECT_EQ(e.value("sipedge_sip_requests_total",
                    {{"direction", "out"}, {"transport", "tcp"}, {"method", "OTHER"}}),
            1);
  EXPECT_EQ(e.value("sipedge_sip_responses_total",
                    {{"direction", "in"}, {"transport", "tcp"}, {"class", "2xx"}}),
            1);
}

TEST(Exposition, HistogramBucketsAreCumulativeWithInfEqualToCount) {
  Registry registry(2, {});
  // Seconds: 0.00001 and 0.00005 fall in le=5e-05 (le is inclusive), 0.0002 in le=0.00025,
  // 3 s in le=5, 60 s only in +Inf.
  for (uint64_t us : {10, 50, 200, 3'000'000, 60'000'000})
    registry.worker(0).observe_dns_latency_us(us);
  registry.worker(1).observe_dns_latency_us(200);
  auto e = read_exposition(registry.render_text());
  EXPECT_EQ(e.type.at("sipedge_dns_latency_seconds"), "histogram");
  auto buckets = e.all("sipedge_dns_latency_seconds_bucket");
  ASSERT_EQ(buckets.size(), kLatencyBucketCount);
  double previous_le = -1, previous_count = 0;
  for (const Sample& b : buckets) {
    double le = testing::parse_value(b.labels.at("le"));
    EXPECT_GT(le, previous_le);
    EXPECT_GE(b.value, previous_count) << "bucket le=" << b.labels.at("le");
    previous_le = le;
    previous_count = b.value;
  }
  EXPECT_EQ(buckets.back().labels.at("le"), "+Inf");
  EXPECT_EQ(buckets.back().value, 6);
  EXPECT_EQ(e.value("sipedge_dns_latency_seconds_count"), 6);
  EXPECT_EQ(e.value("sipedge_dns_latency_seconds_bucket", {{"le", "5e-05"}}), 2);
  EXPECT_EQ(e.value("sipedge_dns_latency_seconds_bucket", {{"le", "0.00025"}}), 4);
  EXPECT_EQ(e.value("sipedge_dns_latency_seconds_bucket", {{"le", "5"}}), 5);
  EXPECT_EQ(e.value("sipedge_dns_latency_seconds_bucket", {{"le", "10"}}), 5);
  auto sum = e.value("sipedge_dns_latency_seconds_sum");
  ASSERT_TRUE(sum);
  EXPECT_NEAR(*sum, 63.00046, 1e-9);
  // The other histogram is untouched.
  EXPECT_EQ(e.value("sipedge_forward_latency_seconds_count"), 0);
}

TEST(Exposition, XdpCountersComeFromTheInjectedSource) {
  Registry registry(1, {});
  auto before = read_exposition(registry.render_text());
  EXPECT_FALSE(before.type.count("sipedge_xdp_up")) << "no XDP series without a source";

  XdpTotals totals{};
  totals.classes[SIPEDGE_CLASS_SIP_UDP] = {10, 4000};
  totals.classes[SIPEDGE_CLASS_OTHER] = {3, 180};
  totals.drops[SIPEDGE_DROP_TLS_REQUIRED] = 7;
  int reads = 0;
  registry.set_xdp_source([&]() -> std::optional<XdpTotals> {
    ++reads;
    return totals;
  });
  auto e = read_exposition(registry.render_text());
  EXPECT_EQ(reads, 1) << "read at scrape time";
  EXPECT_EQ(e.value("sipedge_xdp_up"), 1);
  EXPECT_EQ(e.value("sipedge_xdp_packets_total", {{"class", "sip_udp"}}), 10);
  EXPECT_EQ(e.value("sipedge_xdp_bytes_total", {{"class", "sip_udp"}}), 4000);
  EXPECT_EQ(e.value("sipedge_xdp_packets_total", {{"class", "other"}}), 3);
  EXPECT_EQ(e.value("sipedge_xdp_packets_total", {{"class", "fragment"}}), 0);
  EXPECT_EQ(e.value("sipedge_xdp_drops_total", {{"reason", "tls_required"}}), 7);
  EXPECT_EQ(e.value("sipedge_xdp_drops_total", {{"reason", "denied"}}), 0);
  EXPECT_EQ(e.all("sipedge_xdp_packets_total").size(), size_t{SIPEDGE_CLASS_MAX});
  EXPECT_EQ(e.all("sipedge_xdp_drops_total").size(), size_t{SIPEDGE_DROP_MAX});

  registry.set_xdp_source([] { return std::optional<XdpTotals>(); });
  auto down = read_exposition(registry.render_text());
  EXPECT_EQ(down.value("sipedge_xdp_up"), 0);
  EXPECT_TRUE(down.all("sipedge_xdp_packets_total").empty());
}

// promtool from PATH, if installed (Debian package `prometheus`).
std::string find_promtool() {
  const char* path = std::getenv("PATH");
  std::string dirs = path ? path : "/usr/bin:/bin";
  size_t start = 0;
  while (start <= dirs.size()) {
    size_t end = dirs.find(':', start);
    if (end == std::string::npos) end = dirs.size();
    std::string candidate = dirs.substr(start, end - start) + "/promtool";
    if (::access(candidate.c_str(), X_OK) == 0) return candidate;
    start = end + 1;
  }
  return "";
}

TEST(Exposition, PromtoolAcceptsTheScrape) {
  std::string promtool = find_promtool();
  if (promtool.empty()) GTEST_SKIP() << "promtool not installed (apt-get install prometheus)";
  Registry registry(2, {"r6", "r3"});
  fill(registry);
  registry.worker(1).observe_forward_latency_us(12'000);
  registry.set_xdp_source([] { return std::optional<XdpTotals>(XdpTotals{}); });
  std::string text = registry.render_text();

  char path[] = "/tmp/sipedge-metrics-XXXXXX";
  int fd = ::mkstemp(path);
  ASSERT_GE(fd, 0);
  ASSERT_EQ(::write(fd, text.data(), text.size()), static_cast<ssize_t>(text.size()));
  ::close(fd);
  std::string command = promtool + " check metrics < " + path + " 2>&1";
  FILE* p = ::popen(command.c_str(), "r");
  ASSERT_NE(p, nullptr);
  std::string output;
  char buf[512];
  while (size_t n = std::fread(buf, 1, sizeof(buf), p)) output.append(buf, n);
  int status = ::pclose(p);
  ::unlink(path);
  EXPECT_EQ(status, 0) << output << "\n--- scrape ---\n" << text;
}

}  // namespace
}  // namespace sipedge::metrics
