// The cache in front of the upstream: hits skip the network, answers are stored, and
// serve-stale (RFC 8767) when the upstream fails.
#include "resolve/caching_dns_source.h"

#include <gtest/gtest.h>

#include <functional>
#include <optional>
#include <string>
#include <tuple>
#include <vector>

#include "fake_dns_source.h"
#include "fake_dns_upstream.h"
#include "resolve/rcu_thread.h"

namespace sipedge::resolve {
namespace {

using testing::addresses;
using testing::FakeUpstream;
using testing::status_only;

class CachingDnsSourceTest : public ::testing::Test {
 protected:
  CachingDnsSourceTest() : source_(cache_, upstream_, [this] { return now_ms_; }) {}

  struct Got {
    DnsAnswer answer;
    std::vector<DnsStep> steps;
    bool network = false;
  };
  Got lookup(const char* name, RrType type = RrType::kA) {
    Got got;
    source_.lookup(name, type, [&](const DnsAnswer& a, std::vector<DnsStep>&& s, bool n) {
      got = Got{a, std::move(s), n};
    });
    return got;
  }
  // Starts a lookup whose answer may come later; `*slot` is set when it does.
  void lookup_into(const char* name, std::optional<Got>* slot) {
    source_.lookup(name, RrType::kA, [slot](const DnsAnswer& a, std::vector<DnsStep>&& s, bool n) {
      *slot = Got{a, std::move(s), n};
    });
  }
  // A fresh entry for `name`, then the clock moved past its TTL: stale from now on.
  void make_stale(const char* name) {
    upstream_.next = addresses({"192.0.2.1"}, 60);
    lookup(name);
    now_ms_ += 61'000;
  }

  RcuThread rcu_;
  int64_t now_ms_ = 1'000'000;
  DnsCache cache_;
  FakeUpstream upstream_;
  CachingDnsSource source_;
};

TEST_F(CachingDnsSourceTest, AFreshHitDoesNotAskTheUpstream) {
  upstream_.next = addresses({"192.0.2.1"}, 60);
  EXPECT_TRUE(lookup("pbx.example.test").network);
  Got again = lookup("pbx.example.test");
  EXPECT_FALSE(again.network);
  EXPECT_EQ(upstream_.queries, 1);
  ASSERT_EQ(again.steps.size(), 1u);
  EXPECT_TRUE(again.steps[0].from_cache);
  EXPECT_EQ(again.answer.addresses[0].to_string(), "192.0.2.1");
}

TEST_F(CachingDnsSourceTest, AnExpiredEntryIsRefreshedFromTheUpstream) {
  upstream_.next = addresses({"192.0.2.1"}, 60);
  lookup("pbx.example.test");
  now_ms_ += 60'000;
  upstream_.next = addresses({"192.0.2.2"}, 60);
  Got got = lookup("pbx.example.test");
  EXPECT_EQ(upstream_.queries, 2);
  EXPECT_EQ(got.answer.addresses[0].to_string(), "192.0.2.2");
  EXPECT_EQ(cache_.stale_served(), 0u);
}

TEST_F(CachingDnsSourceTest, Rfc8767_StaleAnswerServedWhenTheUpstreamFailsAndCounted) {
  upstream_.next = addresses({"192.0.2.1"}, 60);
  lookup("pbx.example.test");
  now_ms_ += 61'000;
  for (DnsStatus failure : {DnsStatus::kTimeout, DnsStatus::kServFail}) {
    upstream_.next = status_only(failure);
    Got got = lookup("pbx.example.test");
    EXPECT_EQ(got.answer.status, DnsStatus::kNoError);
    ASSERT_EQ(got.answer.addresses.size(), 1u);
    EXPECT_EQ(got.answer.addresses[0].to_string(), "192.0.2.1");
    ASSERT_FALSE(got.steps.empty());
    EXPECT_TRUE(got.steps.back().stale);
  }
  EXPECT_EQ(cache_.stale_served(), 2u);
}

TEST_F(CachingDnsSourceTest, Rfc8767_NothingStaleBeyondTheWindow) {
  upstream_.next = addresses({"192.0.2.1"}, 60);
  lookup("pbx.example.test");
  now_ms_ += 60'000 + int64_t{cache_.config().stale_window_s} * 1000;
  upstream_.next = status_only(DnsStatus::kTimeout);
  EXPECT_EQ(lookup("pbx.example.test").answer.status, DnsStatus::kTimeout);
  EXPECT_EQ(cache_.stale_served(), 0u);
}

TEST_F(CachingDnsSourceTest, NxDomainIsNotReplacedByStaleData) {
  upstream_.next = addresses({"192.0.2.1"}, 60);
  lookup("pbx.example.test");
  now_ms_ += 61'000;
  DnsAnswer nx = status_only(DnsStatus::kNxDomain);
  nx.ttl = 30;
  nx.has_ttl = true;
  upstream_.next = nx;
  EXPECT_EQ(lookup("pbx.example.test").answer.status, DnsStatus::kNxDomain);
  EXPECT_EQ(cache_.lookup("pbx.example.test", RrType::kA, now_ms_).answer->status,
            DnsStatus::kNxDomain);
}

TEST_F(CachingDnsSourceTest, ConcurrentMissesForOneNameShareOneUpstreamQuery) {
  upstream_.deferred = true;
  upstream_.next = addresses({"192.0.2.1"}, 60);
  std::optional<Got> a, b, other;
  lookup_into("pbx.example.test", &a);
  lookup_into("pbx.example.test", &b);
  lookup_into("other.example.test", &other);
  EXPECT_EQ(upstream_.queries, 2);  // one per (name, type)
  EXPECT_EQ(source_.coalesced(), 1u);
  upstream_.answer_all();
  ASSERT_TRUE(a && b && other);
  EXPECT_EQ(b->answer.addresses[0].to_string(), "192.0.2.1");
  EXPECT_TRUE(b->network);
  // Once answered, the next lookup is a cache hit, not a join.
  EXPECT_FALSE(lookup("pbx.example.test").network);
  EXPECT_EQ(upstream_.queries, 2);
}

TEST_F(CachingDnsSourceTest, Rfc8767_ClientResponseTimerServesStaleWhileTheRefreshGoesOn) {
  make_stale("pbx.example.test");
  upstream_.deferred = true;
  std::optional<Got> got;
  lookup_into("pbx.example.test", &got);
  EXPECT_FALSE(got);  // waiting for the refresh...
  ASSERT_EQ(upstream_.timers.size(), 1u);
  EXPECT_EQ(upstream_.last_delay_ms, 1800);
  upstream_.fire_timers();  // ...until the client-response timer
  ASSERT_TRUE(got);
  EXPECT_EQ(got->answer.addresses[0].to_string(), "192.0.2.1");
  EXPECT_TRUE(got->steps.back().stale);
  EXPECT_EQ(cache_.stale_served(), 1u);
  // Another lookup while the refresh is still out: stale at once, no second query.
  std::optional<Got> joined;
  lookup_into("pbx.example.test", &joined);
  ASSERT_TRUE(joined);
  EXPECT_TRUE(joined->steps.back().stale);
  EXPECT_EQ(upstream_.queries, 2);
  // The refresh answers late: the cache is fresh again.
  upstream_.next = addresses({"192.0.2.2"}, 60);
  upstream_.answer_all();
  EXPECT_EQ(got->answer.addresses[0].to_string(), "192.0.2.1");  // answered once only
  Got after = lookup("pbx.example.test");
  EXPECT_FALSE(after.network);
  EXPECT_EQ(after.answer.addresses[0].to_string(), "192.0.2.2");
}

TEST_F(CachingDnsSourceTest, AMissWithNothingStaleWaitsForTheUpstream) {
  upstream_.deferred = true;
  std::optional<Got> got;
  lookup_into("pbx.example.test", &got);
  EXPECT_TRUE(upstream_.timers.empty());
  upstream_.next = addresses({"192.0.2.1"}, 60);
  upstream_.answer_all();
  ASSERT_TRUE(got);
  EXPECT_FALSE(got->steps.back().stale);
}

TEST_F(CachingDnsSourceTest, Rfc8767_AFailedRefreshIsNotRetriedForTheRecheckPeriod) {
  make_stale("pbx.example.test");
  upstream_.next = status_only(DnsStatus::kTimeout);
  EXPECT_TRUE(lookup("pbx.example.test").steps.back().stale);
  EXPECT_EQ(upstream_.queries, 2);
  now_ms_ += 29'000;
  Got during = lookup("pbx.example.test");
  EXPECT_TRUE(during.steps.back().stale);
  EXPECT_FALSE(during.network);
  EXPECT_EQ(upstream_.queries, 2);  // not asked again inside the 30 s
  now_ms_ += 1'000;
  upstream_.next = addresses({"192.0.2.3"}, 60);
  Got after = lookup("pbx.example.test");
  EXPECT_EQ(upstream_.queries, 3);
  EXPECT_EQ(after.answer.addresses[0].to_string(), "192.0.2.3");
}

TEST_F(CachingDnsSourceTest, Rfc8020_ANameBelowACachedNxDomainIsNotAsked) {
  DnsAnswer nx = status_only(DnsStatus::kNxDomain);
  nx.ttl = 60;
  nx.has_ttl = true;
  nx.canonical_name = "gone.example.test";
  upstream_.next = nx;
  lookup("gone.example.test", RrType::kNaptr);
  EXPECT_EQ(upstream_.queries, 1);
  Got below = lookup("_sip._udp.gone.example.test", RrType::kSrv);
  EXPECT_EQ(below.answer.status, DnsStatus::kNxDomain);
  EXPECT_FALSE(below.network);
  Got other_type = lookup("gone.example.test", RrType::kAaaa);
  EXPECT_EQ(other_type.answer.status, DnsStatus::kNxDomain);
  EXPECT_EQ(upstream_.queries, 1);
}

}  // namespace
}  // namespace sipedge::resolve
