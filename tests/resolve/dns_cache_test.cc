// DnsCache behaviour with an injected clock: TTL expiry and clamping, negative caching
// (RFC 2308), the stale window (RFC 8767), bounded size, and an allocation-free hit.
#include "resolve/dns_cache.h"

#include <gtest/gtest.h>

#include <atomic>
#include <cstdlib>
#include <new>
#include <string>
#include <vector>

#include "fake_dns_source.h"
#include "resolve/rcu_thread.h"

namespace {
thread_local long g_allocations = 0;
}  // namespace

// Counts this thread's allocations, to show a cache hit makes none. GCC 12 inlines these
// replacements and then mistakes the malloc/free pair behind new/delete for a mismatch.
#pragma GCC diagnostic ignored "-Wmismatched-new-delete"
void* operator new(std::size_t n) {
  ++g_allocations;
  if (void* p = std::malloc(n ? n : 1)) return p;
  throw std::bad_alloc();
}
void operator delete(void* p) noexcept { std::free(p); }
void operator delete(void* p, std::size_t) noexcept { std::free(p); }

namespace sipedge::resolve {
namespace {

using testing::addresses;
using testing::status_only;

constexpr int64_t kT0 = 1'000'000;

DnsAnswer negative(DnsStatus s, uint32_t ttl) {
  DnsAnswer a = status_only(s);
  a.ttl = ttl;
  a.has_ttl = true;
  return a;
}

class DnsCacheTest : public ::testing::Test {
 protected:
  DnsCacheConfig config() {
    DnsCacheConfig c;
    c.min_ttl_s = 10;
    c.max_ttl_s = 3600;
    c.max_negative_ttl_s = 300;
    c.stale_window_s = 600;
    c.max_entries = 100;
    return c;
  }
  RcuThread rcu_;  // declared first: outlives the cache
};

TEST_F(DnsCacheTest, EntryIsFreshForItsTtlThenStale) {
  DnsCache cache(config());
  ASSERT_TRUE(cache.insert("pbx.example.test", RrType::kA, addresses({"192.0.2.1"}, 60), kT0));
  auto hit = cache.lookup("pbx.example.test", RrType::kA, kT0 + 59'999);
  ASSERT_EQ(hit.state, CacheState::kFresh);
  EXPECT_EQ(hit.answer->addresses[0].to_string(), "192.0.2.1");
  EXPECT_EQ(cache.lookup("pbx.example.test", RrType::kA, kT0 + 60'000).state, CacheState::kStale);
}

TEST_F(DnsCacheTest, KeyIsNameAndType) {
  DnsCache cache(config());
  cache.insert("pbx.example.test", RrType::kA, addresses({"192.0.2.1"}), kT0);
  EXPECT_EQ(cache.lookup("pbx.example.test", RrType::kAaaa, kT0).state, CacheState::kMiss);
  EXPECT_EQ(cache.lookup("pbx2.example.test", RrType::kA, kT0).state, CacheState::kMiss);
}

TEST_F(DnsCacheTest, TtlIsClampedToTheConfiguredMinimumAndMaximum) {
  DnsCache cache(config());
  cache.insert("short.example.test", RrType::kA, addresses({"192.0.2.1"}, 1), kT0);
  cache.insert("long.example.test", RrType::kA, addresses({"192.0.2.2"}, 999'999), kT0);
  EXPECT_EQ(cache.lookup("short.example.test", RrType::kA, kT0).expires_at_ms, kT0 + 10'000);
  EXPECT_EQ(cache.lookup("long.example.test", RrType::kA, kT0).expires_at_ms, kT0 + 3'600'000);
}

TEST_F(DnsCacheTest, Rfc2308_NegativeAnswersAreCachedForTheirSoaTtl) {
  DnsCache cache(config());
  ASSERT_TRUE(cache.insert("nx.example.test", RrType::kA, negative(DnsStatus::kNxDomain, 60), kT0));
  ASSERT_TRUE(
      cache.insert("pbx.example.test", RrType::kAaaa, negative(DnsStatus::kNoData, 45), kT0));
  auto nx = cache.lookup("nx.example.test", RrType::kA, kT0 + 59'000);
  ASSERT_EQ(nx.state, CacheState::kFresh);
  EXPECT_EQ(nx.answer->status, DnsStatus::kNxDomain);
  EXPECT_EQ(cache.lookup("nx.example.test", RrType::kA, kT0 + 60'000).state, CacheState::kStale);
  EXPECT_EQ(cache.lookup("pbx.example.test", RrType::kAaaa, kT0).answer->status,
            DnsStatus::kNoData);
}

TEST_F(DnsCacheTest, Rfc2308_NegativeTtlIsCappedByTheNegativeMaximum) {
  DnsCache cache(config());
  cache.insert("nx.example.test", RrType::kA, negative(DnsStatus::kNxDomain, 86'400), kT0);
  EXPECT_EQ(cache.lookup("nx.example.test", RrType::kA, kT0).expires_at_ms, kT0 + 300'000);
}

TEST_F(DnsCacheTest, Rfc2308_NegativeAnswerWithoutSoaIsNotCached) {
  DnsCache cache(config());
  EXPECT_FALSE(cache.insert("nx.example.test", RrType::kA, status_only(DnsStatus::kNxDomain), kT0));
  EXPECT_EQ(cache.lookup("nx.example.test", RrType::kA, kT0).state, CacheState::kMiss);
}

TEST_F(DnsCacheTest, UpstreamFailuresAreNotCached) {
  DnsCache cache(config());
  DnsAnswer fail = negative(DnsStatus::kServFail, 60);
  EXPECT_FALSE(cache.insert("x.example.test", RrType::kA, fail, kT0));
  fail.status = DnsStatus::kTimeout;
  EXPECT_FALSE(cache.insert("x.example.test", RrType::kA, fail, kT0));
  EXPECT_EQ(cache.size(), 0u);
}

TEST_F(DnsCacheTest, Rfc8767_StaleWindowIsBounded) {
  DnsCache cache(config());
  cache.insert("pbx.example.test", RrType::kA, addresses({"192.0.2.1"}, 60), kT0);
  EXPECT_EQ(cache.lookup("pbx.example.test", RrType::kA, kT0 + 60'000 + 599'999).state,
            CacheState::kStale);
  EXPECT_EQ(cache.lookup("pbx.example.test", RrType::kA, kT0 + 60'000 + 600'000).state,
            CacheState::kMiss);
}

TEST_F(DnsCacheTest, ReplacingAnEntryPublishesTheNewAnswer) {
  DnsCache cache(config());
  cache.insert("pbx.example.test", RrType::kA, addresses({"192.0.2.1"}), kT0);
  cache.insert("pbx.example.test", RrType::kA, addresses({"192.0.2.2"}), kT0 + 1);
  EXPECT_EQ(cache.size(), 1u);
  EXPECT_EQ(cache.lookup("pbx.example.test", RrType::kA, kT0 + 1).answer->addresses[0].to_string(),
            "192.0.2.2");
}

TEST_F(DnsCacheTest, SizeIsBoundedAndUnusedEntriesLeaveInInsertionOrder) {
  DnsCacheConfig c = config();
  c.max_entries = 8;
  DnsCache cache(c);
  for (int i = 0; i < 20; ++i) {
    cache.insert("h" + std::to_string(i) + ".example.test", RrType::kA, addresses({"192.0.2.1"}),
                 kT0);
    EXPECT_LE(cache.size(), 8u);
  }
  EXPECT_EQ(cache.evictions(), 12u);
  EXPECT_EQ(cache.lookup("h0.example.test", RrType::kA, kT0).state, CacheState::kMiss);
  EXPECT_EQ(cache.lookup("h11.example.test", RrType::kA, kT0).state, CacheState::kMiss);
  EXPECT_EQ(cache.lookup("h12.example.test", RrType::kA, kT0).state, CacheState::kFresh);
  EXPECT_EQ(cache.lookup("h19.example.test", RrType::kA, kT0).state, CacheState::kFresh);
}

std::string flood_name(int i) { return "r" + std::to_string(i * 7919) + ".flood.test"; }

TEST_F(DnsCacheTest, AnEntryInUseSurvivesAFloodOfNamesSeenOnce) {
  DnsCacheConfig c = config();
  c.max_entries = 64;
  DnsCache cache(c);
  cache.insert("hot.carrier.test", RrType::kSrv, testing::srv({{0, 0, 5060, "pbx"}}), kT0);
  cache.insert("cold.carrier.test", RrType::kSrv, testing::srv({{0, 0, 5060, "pbx"}}), kT0);
  for (int i = 0; i < 10'000; ++i) {
    // Real traffic keeps using the hot entry, a few times per 64 flood names.
    if (i % 16 == 0) {
      ASSERT_EQ(cache.lookup("hot.carrier.test", RrType::kSrv, kT0).state, CacheState::kFresh)
          << "evicted after " << i << " flood names";
    }
    cache.insert(flood_name(i), RrType::kA, addresses({"192.0.2.1"}), kT0);
    ASSERT_LE(cache.size(), c.max_entries);
  }
  EXPECT_EQ(cache.lookup("hot.carrier.test", RrType::kSrv, kT0).state, CacheState::kFresh);
  // The control: an entry nobody used went out with the flood.
  EXPECT_EQ(cache.lookup("cold.carrier.test", RrType::kSrv, kT0).state, CacheState::kMiss);
}

TEST_F(DnsCacheTest, AKeyBackSoonAfterItsEvictionGoesToTheMainFifo) {
  // Fetched in bursts (one resolution inserts ten entries, none looked up from the cache
  // yet): evicted unused from the small FIFO, asked again, it is remembered (ghost) and
  // kept this time, even if no lookup touches it before the next flood.
  DnsCacheConfig c = config();
  c.max_entries = 64;
  DnsCache cache(c);
  cache.insert("burst.carrier.test", RrType::kA, addresses({"192.0.2.1"}), kT0);
  for (int i = 0; i < 100; ++i) {  // fills the cache, then evicts
    cache.insert(flood_name(i), RrType::kA, addresses({"192.0.2.1"}), kT0);
  }
  ASSERT_EQ(cache.lookup("burst.carrier.test", RrType::kA, kT0).state, CacheState::kMiss);
  cache.insert("burst.carrier.test", RrType::kA, addresses({"192.0.2.1"}), kT0);
  for (int i = 100; i < 2'000; ++i) {
    cache.insert(flood_name(i), RrType::kA, addresses({"192.0.2.1"}), kT0);
  }
  EXPECT_EQ(cache.lookup("burst.carrier.test", RrType::kA, kT0).state, CacheState::kFresh);
}

TEST_F(DnsCacheTest, RefreshingAHotEntryKeepsItsStanding) {
  DnsCacheConfig c = config();
  c.max_entries = 32;
  DnsCache cache(c);
  cache.insert("hot.carrier.test", RrType::kA, addresses({"192.0.2.1"}), kT0);
  ASSERT_EQ(cache.lookup("hot.carrier.test", RrType::kA, kT0).state, CacheState::kFresh);
  for (int i = 0; i < 2'000; ++i) {
    if (i % 8 == 0) {
      // The TTL refresh replaces the entry; the replacement inherits "in use".
      cache.insert("hot.carrier.test", RrType::kA, addresses({"192.0.2.1"}), kT0);
      ASSERT_EQ(cache.lookup("hot.carrier.test", RrType::kA, kT0).state, CacheState::kFresh)
          << "evicted after " << i;
    }
    cache.insert(flood_name(i), RrType::kA, addresses({"192.0.2.1"}), kT0);
  }
}

TEST_F(DnsCacheTest, MemoryStaysWithinTheByteBoundReclamationIncluded) {
  DnsCacheConfig c = config();
  c.max_entries = 100'000;
  c.max_bytes = 64 * 1024;
  DnsCache cache(c);
  DnsAnswer many = negative(DnsStatus::kNoError, 300);
  many.addresses.resize(40, testing::ip("2001:db8::1"));
  for (int i = 0; i < 2'000; ++i) {
    cache.insert(flood_name(i), RrType::kAaaa, many, kT0);
    ASSERT_LE(cache.bytes(), c.max_bytes) << "after " << i;
  }
  EXPECT_GT(cache.evictions(), 0u);
  EXPECT_LT(cache.size(), 2'000u);
  // This thread never passed a quiescent state, so every evicted entry is still waiting
  // for reclamation and counted; after the grace period only live entries remain.
  EXPECT_GT(cache.pending_reclaim_bytes(), 0u);
  cache.wait_for_reclamation();
  EXPECT_EQ(cache.pending_reclaim_bytes(), 0u);
}

TEST_F(DnsCacheTest, Rfc8020_NxDomainCutsEveryNameBelow) {
  DnsCache cache(config());
  DnsAnswer nx = negative(DnsStatus::kNxDomain, 60);
  nx.canonical_name = "gone.example.test";
  cache.insert("gone.example.test", RrType::kNaptr, nx, kT0);
  EXPECT_EQ(cache.lookup_nxdomain_cut("gone.example.test", kT0).state, CacheState::kFresh);
  EXPECT_EQ(cache.lookup_nxdomain_cut("_sip._udp.gone.example.test", kT0).state,
            CacheState::kFresh);
  EXPECT_EQ(cache.lookup_nxdomain_cut("example.test", kT0).state, CacheState::kMiss);
  EXPECT_EQ(cache.lookup_nxdomain_cut("notgone.example.test", kT0).state, CacheState::kMiss);
  EXPECT_EQ(cache.lookup_nxdomain_cut("gone.example.test", kT0 + 61'000).state, CacheState::kMiss);
  // NXDOMAIN at the end of a CNAME chain is about the target, not the name asked.
  DnsAnswer via_cname = negative(DnsStatus::kNxDomain, 60);
  via_cname.canonical_name = "target.elsewhere.test";
  cache.insert("alias.example.test", RrType::kA, via_cname, kT0);
  EXPECT_EQ(cache.lookup_nxdomain_cut("alias.example.test", kT0).state, CacheState::kMiss);
  // NODATA says the name exists: no cut.
  cache.insert("empty.example.test", RrType::kA, negative(DnsStatus::kNoData, 60), kT0);
  EXPECT_EQ(cache.lookup_nxdomain_cut("x.empty.example.test", kT0).state, CacheState::kMiss);
}

TEST_F(DnsCacheTest, AHitAllocatesNothing) {
  DnsCache cache(config());
  cache.insert("a-rather-long-host-name.pbx.example.test", RrType::kSrv,
               testing::srv({{0, 0, 5060, "t.example.test"}}), kT0);
  const long before = g_allocations;
  auto hit = cache.lookup("a-rather-long-host-name.pbx.example.test", RrType::kSrv, kT0);
  const long after = g_allocations;
  ASSERT_EQ(hit.state, CacheState::kFresh);
  EXPECT_EQ(after, before);
}

TEST(DnsCache, AHitGivesTheAddressesFromTheSlotOrTheAnswer) {
  RcuThread rcu;
  DnsCache cache;
  const DnsAnswer small = addresses({"192.0.2.1", "192.0.2.9"});
  const DnsAnswer small6 = addresses({"2001:db8::1", "2001:db8::2"});
  const DnsAnswer mixed = addresses({"192.0.2.1", "2001:db8::1"});
  const DnsAnswer large =
      addresses({"192.0.2.1", "192.0.2.2", "192.0.2.3", "192.0.2.4", "192.0.2.5"});
  ASSERT_TRUE(cache.insert("small.test", RrType::kA, small, kT0));
  ASSERT_TRUE(cache.insert("small.test", RrType::kAaaa, small6, kT0));
  ASSERT_TRUE(cache.insert("mixed.test", RrType::kA, mixed, kT0));
  ASSERT_TRUE(cache.insert("large.test", RrType::kA, large, kT0));
  auto as_vector = [](const CacheLookup& hit) {
    std::vector<IpAddress> out;
    for (size_t i = 0; i < hit.address_count(); ++i) out.push_back(hit.address(i));
    return out;
  };
  const CacheLookup s = cache.lookup("small.test", RrType::kA, kT0);
  ASSERT_EQ(s.state, CacheState::kFresh);
  EXPECT_EQ(as_vector(s), small.addresses);
  // Small sets of the asked family are the slot's copy, not the answer's heap block.
  EXPECT_EQ(s.inline_count, 2);
  const CacheLookup s6 = cache.lookup("small.test", RrType::kAaaa, kT0);
  EXPECT_EQ(as_vector(s6), small6.addresses);
  EXPECT_EQ(s6.inline_count, 2);
  // Sets that do not fit a slot come from the answer.
  const CacheLookup m = cache.lookup("mixed.test", RrType::kA, kT0);
  EXPECT_EQ(as_vector(m), mixed.addresses);
  EXPECT_EQ(m.inline_count, SlotAddresses::kNotInline);
  const CacheLookup l = cache.lookup("large.test", RrType::kA, kT0);
  EXPECT_EQ(as_vector(l), large.addresses);
  EXPECT_EQ(l.inline_count, SlotAddresses::kNotInline);
}

TEST(DnsCache, NamesLongerThanAnIndexSlotAreToldApartByTheirRest) {
  RcuThread rcu;
  DnsCache cache;
  const std::string stem(100, 'a');
  ASSERT_TRUE(cache.insert(stem + ".one.test", RrType::kA, addresses({"192.0.2.1"}), kT0));
  ASSERT_TRUE(cache.insert(stem + ".two.test", RrType::kA, addresses({"192.0.2.2"}), kT0));
  EXPECT_EQ(cache.lookup(stem + ".one.test", RrType::kA, kT0).address(0).to_string(), "192.0.2.1");
  EXPECT_EQ(cache.lookup(stem + ".two.test", RrType::kA, kT0).address(0).to_string(), "192.0.2.2");
  EXPECT_EQ(cache.lookup(stem + ".six.test", RrType::kA, kT0).state, CacheState::kMiss);
}

}  // namespace
}  // namespace sipedge::resolve
