// The resolver's hit path (Rfc3263Resolver::try_resolve_cached): it gives what resolve()
// gave while every answer is fresh, misses on anything else, applies the quarantine, and
// a fully cached NAPTR → SRV → A/AAAA resolution through the real cache makes no heap
// allocation (counted by replacing the global operator new in this binary).
#include <gtest/gtest.h>

#include <atomic>
#include <cstdlib>
#include <new>
#include <string>
#include <vector>

#include "fake_dns_source.h"
#include "resolve/caching_dns_source.h"
#include "resolve/dns_cache.h"
#include "resolve/rcu_thread.h"
#include "resolve/rfc3263_resolver.h"

namespace {
std::atomic<uint64_t> g_allocations{0};
}  // namespace

// GCC 12 inlines these replacements and then mistakes the malloc/free pair behind
// new/delete for a mismatch.
#pragma GCC diagnostic ignored "-Wmismatched-new-delete"
void* operator new(std::size_t n) {
  g_allocations.fetch_add(1, std::memory_order_relaxed);
  if (void* p = std::malloc(n ? n : 1)) return p;
  throw std::bad_alloc();
}
void* operator new[](std::size_t n) { return operator new(n); }
void* operator new(std::size_t n, const std::nothrow_t&) noexcept {
  g_allocations.fetch_add(1, std::memory_order_relaxed);
  return std::malloc(n ? n : 1);
}
void operator delete(void* p) noexcept { std::free(p); }
void operator delete[](void* p) noexcept { std::free(p); }
void operator delete(void* p, std::size_t) noexcept { std::free(p); }
void operator delete[](void* p, std::size_t) noexcept { std::free(p); }

namespace sipedge::resolve {
namespace {

using testing::addresses;
using testing::FakeDnsSource;
using testing::ip;
using testing::naptr;
using testing::naptr_rec;
using testing::srv;

constexpr int64_t kT0 = 1'000'000;

ResolveRequest request_for(const char* host) {
  ResolveRequest r;
  r.host = host;
  return r;
}

std::vector<ReadyTarget> ready_of(const std::vector<Target>& targets) {
  std::vector<ReadyTarget> out;
  for (const Target& t : targets) out.push_back(ReadyTarget{t.transport, t.port, t.address});
  return out;
}

std::vector<ReadyTarget> ready_of(const ReadyTargets& r) {
  return {r.view().begin(), r.view().end()};
}

class ReadyTargetsTest : public ::testing::Test {
 protected:
  ReadyTargetsTest() {
    dns_.set("carrier.test", RrType::kNaptr,
             naptr({naptr_rec(10, 10, "s", "SIP+D2U", "_sip._udp.carrier.test"),
                    naptr_rec(20, 10, "s", "SIPS+D2T", "_sips._tcp.carrier.test")}));
    dns_.set("_sip._udp.carrier.test", RrType::kSrv,
             srv({{10, 0, 5060, "sbc1.carrier.test"}, {20, 0, 5070, "sbc2.carrier.test"}}, 120));
    dns_.set("_sips._tcp.carrier.test", RrType::kSrv, srv({{10, 0, 5061, "sbc1.carrier.test"}}));
    dns_.set("sbc1.carrier.test", RrType::kA, addresses({"192.0.2.1"}, 60));
    dns_.set("sbc1.carrier.test", RrType::kAaaa, addresses({"2001:db8::1"}));
    dns_.set("sbc2.carrier.test", RrType::kA, addresses({"192.0.2.2"}));
    DnsAnswer nodata = addresses({});
    nodata.status = DnsStatus::kNoData;  // a negative answer with an SOA TTL: cachable
    dns_.set("sbc2.carrier.test", RrType::kAaaa, nodata);
  }

  ResolveResult resolve(const ResolveRequest& req) {
    ResolveResult out;
    resolver_.resolve(req, [&](ResolveResult&& r) { out = std::move(r); });
    return out;
  }

  FakeDnsSource dns_;
  int64_t now_ms_ = kT0;
  Rfc3263Resolver resolver_{dns_, ResolverConfig{}, [this] { return now_ms_; }};
};

TEST_F(ReadyTargetsTest, MissesUntilAResolutionCompletesThenGivesItsTargets) {
  ReadyTargets ready;
  EXPECT_FALSE(resolver_.try_resolve_cached(request_for("carrier.test"), &ready));
  const ResolveResult r = resolve(request_for("carrier.test"));
  ASSERT_EQ(r.targets.size(), 5u);  // UDP: sbc1 (v6, v4), sbc2 (v4); TLS: sbc1 (v6, v4)
  const size_t asked = dns_.asked().size();
  ASSERT_TRUE(resolver_.try_resolve_cached(request_for("carrier.test"), &ready));
  EXPECT_EQ(ready_of(ready), ready_of(r.targets));
  EXPECT_EQ(ready.tls_identity(), "carrier.test");
  EXPECT_EQ(ready.ttl_left_s, 60u);       // the shortest TTL on the way (sbc1's A)
  EXPECT_EQ(dns_.asked().size(), asked);  // nothing looked up
  EXPECT_EQ(resolver_.ready_cache().hits(), 1u);
}

TEST_F(ReadyTargetsTest, TheHostIsNormalisedAsTheResolverDoes) {
  resolve(request_for("carrier.test"));
  ReadyTargets ready;
  EXPECT_TRUE(resolver_.try_resolve_cached(request_for("Carrier.TEST."), &ready));
  EXPECT_EQ(ready.tls_identity(), "carrier.test");
}

TEST_F(ReadyTargetsTest, EveryRoutingFactIsPartOfTheKey) {
  resolve(request_for("carrier.test"));
  ReadyTargets ready;
  ResolveRequest sips = request_for("carrier.test");
  sips.sips = true;
  EXPECT_FALSE(resolver_.try_resolve_cached(sips, &ready));
  ResolveRequest port = request_for("carrier.test");
  port.port = 5060;
  EXPECT_FALSE(resolver_.try_resolve_cached(port, &ready));
  ResolveRequest transport = request_for("carrier.test");
  transport.transport = "udp";
  EXPECT_FALSE(resolver_.try_resolve_cached(transport, &ready));
  ResolveRequest maddr = request_for("carrier.test");
  maddr.maddr = "sbc2.carrier.test";
  EXPECT_FALSE(resolver_.try_resolve_cached(maddr, &ready));
  // Resolved on its own, the sips: request gives only the TLS hop, never the UDP ones.
  resolve(sips);
  ASSERT_TRUE(resolver_.try_resolve_cached(sips, &ready));
  for (const ReadyTarget& t : ready.view()) EXPECT_EQ(t.transport, Transport::kTls);
}

TEST_F(ReadyTargetsTest, ExpiresWithTheShortestTtl) {
  resolve(request_for("carrier.test"));
  ReadyTargets ready;
  now_ms_ += 59'999;
  EXPECT_TRUE(resolver_.try_resolve_cached(request_for("carrier.test"), &ready));
  EXPECT_EQ(ready.ttl_left_s, 0u);
  now_ms_ += 1;
  EXPECT_FALSE(resolver_.try_resolve_cached(request_for("carrier.test"), &ready));
}

TEST_F(ReadyTargetsTest, FailuresAndUncachableResultsAreNotKept) {
  ReadyTargets ready;
  const ResolveResult missing = resolve(request_for("nowhere.test"));
  ASSERT_TRUE(missing.targets.empty());
  EXPECT_FALSE(resolver_.try_resolve_cached(request_for("nowhere.test"), &ready));
  // An answer without a TTL (uncachable) makes the whole result uncachable.
  DnsAnswer a = addresses({"192.0.2.9"});
  a.has_ttl = false;
  dns_.set("nottl.test", RrType::kA, a);
  ResolveRequest req = request_for("nottl.test");
  req.port = 5060;
  ASSERT_EQ(resolve(req).targets.size(), 1u);
  EXPECT_FALSE(resolver_.try_resolve_cached(req, &ready));
}

TEST_F(ReadyTargetsTest, QuarantinedTargetsGoLastAsInResolve) {
  const ResolveResult first = resolve(request_for("carrier.test"));
  resolver_.mark_failed(first.targets[0]);
  const ResolveResult again = resolve(request_for("carrier.test"));
  ASSERT_NE(again.targets[0].address, first.targets[0].address);
  ReadyTargets ready;
  ASSERT_TRUE(resolver_.try_resolve_cached(request_for("carrier.test"), &ready));
  EXPECT_EQ(ready_of(ready), ready_of(again.targets));
  EXPECT_EQ(ready.view().back(), ready_of(first.targets).front());
}

TEST_F(ReadyTargetsTest, NumericHostsAreKeptToo) {
  ResolveRequest req;
  req.host = "192.0.2.77";
  req.host_kind = HostKind::kIPv4;
  req.port = 5070;
  resolve(req);
  ReadyTargets ready;
  ASSERT_TRUE(resolver_.try_resolve_cached(req, &ready));
  ASSERT_EQ(ready.count, 1u);
  EXPECT_EQ(ready.targets[0].address, ip("192.0.2.77"));
  EXPECT_EQ(ready.targets[0].port, 5070);
}

TEST(ReadyTargetsDisabled, ZeroEntriesNeverHit) {
  FakeDnsSource dns;
  dns.set("plain.test", RrType::kA, addresses({"192.0.2.5"}));
  ResolverConfig config;
  config.ready_cache_entries = 0;
  Rfc3263Resolver resolver(dns, config, [] { return kT0; });
  ResolveRequest req = request_for("plain.test");
  req.port = 5060;
  resolver.resolve(req, [](ResolveResult&&) {});
  ReadyTargets ready;
  EXPECT_FALSE(resolver.try_resolve_cached(req, &ready));
}

TEST(ReadyTargetCache, AFullWindowEvictsTheLeastUsedEntry) {
  ReadyTargetCache cache(8);  // 16 slots, one probe window: every key competes for them
  std::vector<Target> one(1);
  std::vector<ReadyTargetCache::Key> keys(17);
  for (size_t i = 0; i < keys.size(); ++i) {
    const std::string host = "h" + std::to_string(i) + ".test";
    ResolveRequestView v;
    v.host = host;
    ASSERT_TRUE(ReadyTargetCache::make_key(v, &keys[i]));
  }
  ReadyTargets out;
  for (size_t i = 0; i < 16; ++i) cache.insert(keys[i], one, kT0 + 1000, kT0);
  for (size_t i = 1; i < 16; ++i) EXPECT_TRUE(cache.find(keys[i], kT0, &out));  // all but 0 used
  cache.insert(keys[16], one, kT0 + 1000, kT0);
  EXPECT_FALSE(cache.find(keys[0], kT0, &out));
  for (size_t i = 1; i < 17; ++i) EXPECT_TRUE(cache.find(keys[i], kT0, &out)) << i;
}

// A DnsSource upstream that must never be reached.
class NoNetwork : public DnsUpstream {
 public:
  void query(const std::string&, RrType, Callback done) override {
    ++queries;
    Reply r;
    r.answer.status = DnsStatus::kServFail;
    done(std::move(r));
  }
  int queries = 0;
};

TEST(ReadyTargetsAllocation, AFullyCachedResolutionAllocatesNothing) {
  RcuThread rcu;
  DnsCache cache;
  cache.insert("carrier.test", RrType::kNaptr,
               naptr({naptr_rec(10, 10, "s", "SIP+D2U", "_sip._udp.carrier.test")}), kT0);
  cache.insert("_sip._udp.carrier.test", RrType::kSrv,
               srv({{10, 60, 5060, "sbc1.carrier.test"}, {10, 40, 5060, "sbc2.carrier.test"}}),
               kT0);
  for (const char* host : {"sbc1.carrier.test", "sbc2.carrier.test"}) {
    cache.insert(host, RrType::kA, addresses({"192.0.2.1"}), kT0);
    cache.insert(host, RrType::kAaaa, addresses({"2001:db8::1"}), kT0);
  }
  NoNetwork upstream;
  int64_t now = kT0;
  CachingDnsSource source(cache, upstream, [&] { return now; });
  Rfc3263Resolver resolver(source, ResolverConfig{}, [&] { return now; });
  const ResolveRequest req = request_for("carrier.test");
  ResolveResult first;
  resolver.resolve(req, [&](ResolveResult&& r) { first = std::move(r); });
  ASSERT_EQ(first.targets.size(), 4u);
  ASSERT_EQ(upstream.queries, 0);

  const ResolveRequestView view = ResolveRequestView::of(req);
  ReadyTargets ready;
  size_t hits = 0;
  const uint64_t before = g_allocations.load();
  for (int i = 0; i < 1000; ++i) {
    now += 1;
    hits += resolver.try_resolve_cached(view, &ready);
  }
  const uint64_t allocations = g_allocations.load() - before;
  EXPECT_EQ(hits, 1000u);
  EXPECT_EQ(allocations, 0u);
  EXPECT_EQ(ready_of(ready), ready_of(first.targets));

  // The same count catches allocations when they happen: the full API allocates.
  const uint64_t before_full = g_allocations.load();
  resolver.resolve(req, [](ResolveResult&&) {});
  EXPECT_GT(g_allocations.load() - before_full, 0u);
}

}  // namespace
}  // namespace sipedge::resolve
