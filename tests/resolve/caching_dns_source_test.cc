// The cache in front of the upstream: hits skip the network, answers are stored, and
// serve-stale (RFC 8767) when the upstream fails.
#include "resolve/caching_dns_source.h"

#include <gtest/gtest.h>

#include "fake_dns_source.h"
#include "resolve/rcu_thread.h"

namespace sipedge::resolve {
namespace {

using testing::addresses;
using testing::status_only;

class FakeUpstream : public DnsUpstream {
 public:
  void query(const std::string& name, RrType type, Callback done) override {
    ++queries;
    Reply reply;
    reply.answer = next;
    reply.steps.push_back(
        DnsStep{name, type, next.status, static_cast<uint32_t>(next.record_count()), false, false});
    done(std::move(reply));
  }
  DnsAnswer next = status_only(DnsStatus::kTimeout);
  int queries = 0;
};

class CachingDnsSourceTest : public ::testing::Test {
 protected:
  CachingDnsSourceTest() : source_(cache_, upstream_, [this] { return now_ms_; }) {}

  struct Got {
    DnsAnswer answer;
    std::vector<DnsStep> steps;
    bool network = false;
  };
  Got lookup(const char* name) {
    Got got;
    source_.lookup(name, RrType::kA, [&](const DnsAnswer& a, std::vector<DnsStep>&& s, bool n) {
      got = Got{a, std::move(s), n};
    });
    return got;
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

}  // namespace
}  // namespace sipedge::resolve
