// Many lock-free readers while a writer replaces and evicts entries. Run under
// ThreadSanitizer (label "tsan") and AddressSanitizer (label "unit"): a reader must never
// see a torn or freed entry. Iteration counts, not time, bound the test.
#include <gtest/gtest.h>

#include <atomic>
#include <string>
#include <thread>
#include <vector>

#include "resolve/dns_cache.h"
#include "resolve/rcu_thread.h"

namespace sipedge::resolve {
namespace {

constexpr int kKeys = 64;
constexpr int kReaders = 3;
constexpr int kWriterRounds = 40;
constexpr int64_t kNow = 1'000'000;

std::string key(int i) { return "host" + std::to_string(i) + ".example.test"; }

// Every record of a version-v entry carries v, so a reader can tell a torn entry.
DnsAnswer versioned(uint32_t v, int i) {
  DnsAnswer a;
  a.status = DnsStatus::kNoError;
  a.ttl = 300;
  a.has_ttl = true;
  a.canonical_name = key(i);
  for (uint32_t r = 0; r < 1 + (v % 4); ++r) {
    IpAddress ip;
    ip.family = 4;
    ip.bytes = {static_cast<uint8_t>(v), static_cast<uint8_t>(v >> 8), static_cast<uint8_t>(i),
                static_cast<uint8_t>(r)};
    a.addresses.push_back(ip);
  }
  return a;
}

TEST(DnsCacheConcurrency, ReadersSeeWholeEntriesWhileAWriterReplacesAndEvicts) {
  DnsCacheConfig config;
  config.max_entries = kKeys / 2;  // forces evictions as well as replacements
  config.max_bytes = 32 * 1024;    // and the byte bound, with reclamation pending
  std::atomic<long> over_bound{0};
  std::atomic<bool> stop{false};
  std::atomic<long> hits{0};
  std::atomic<long> torn{0};
  {
    RcuThread main_rcu;
    DnsCache cache(config);
    std::vector<std::thread> readers;
    for (int t = 0; t < kReaders; ++t) {
      readers.emplace_back([&, t] {
        RcuThread rcu;
        std::vector<std::string> names;
        for (int i = 0; i < kKeys; ++i) names.push_back(key(i));
        long local_hits = 0;
        for (int round = 0; !stop.load(std::memory_order_relaxed) || round < 200; ++round) {
          for (int i = 0; i < kKeys; ++i) {
            const int k = (i * 7 + t + round) % kKeys;
            CacheLookup hit = cache.lookup(names[k], RrType::kA, kNow);
            if (hit.state == CacheState::kMiss) continue;
            ++local_hits;
            const DnsAnswer& a = *hit.answer;
            if (a.canonical_name != names[k] || a.addresses.empty()) {
              torn.fetch_add(1);
              continue;
            }
            const uint8_t v0 = a.addresses[0].bytes[0];
            for (const IpAddress& ip : a.addresses) {
              if (ip.bytes[0] != v0 || ip.bytes[2] != static_cast<uint8_t>(k)) torn.fetch_add(1);
            }
            // The slot's copy (expiry, addresses) and the entry are one version.
            if (hit.address_count() != a.addresses.size()) torn.fetch_add(1);
            for (size_t i = 0; i < hit.address_count() && i < a.addresses.size(); ++i) {
              if (!(hit.address(i) == a.addresses[i])) torn.fetch_add(1);
            }
          }
          RcuThread::quiescent();  // drops every pointer taken above
        }
        hits.fetch_add(local_hits);
      });
    }
    std::thread writer([&] {
      RcuThread rcu;
      uint32_t version = 1;
      for (int round = 0; round < kWriterRounds; ++round) {
        for (int i = 0; i < kKeys; ++i) {
          cache.insert(key(i), RrType::kA, versioned(version++, i), kNow);
          if (cache.bytes() > config.max_bytes) over_bound.fetch_add(1);
        }
        RcuThread::quiescent();
      }
      stop.store(true);
    });
    RcuThread::offline();  // a thread blocked in join() must not hold up reclamation
    writer.join();
    for (auto& r : readers) r.join();
    RcuThread::online();
    EXPECT_LE(cache.size(), config.max_entries);
    EXPECT_GT(cache.evictions(), 0u);
    EXPECT_EQ(over_bound.load(), 0);
  }
  EXPECT_EQ(torn.load(), 0);
  EXPECT_GT(hits.load(), 0);
}

TEST(DnsCacheConcurrency, ReaderGoingOfflineDoesNotBlockReclamation) {
  // A reader that blocks (offline) must not stall writers' reclamation: every replaced
  // entry is freed while it is still offline. Coming back online it sees the newest entry.
  DnsCacheConfig config;
  config.max_entries = 4;
  RcuThread main_rcu;
  DnsCache cache(config);
  std::atomic<int> phase{0};
  std::thread reader([&] {
    RcuThread rcu;
    RcuThread::offline();
    while (phase.load() == 0) std::this_thread::yield();
    RcuThread::online();
    CacheLookup hit = cache.lookup(key(0), RrType::kA, kNow);
    EXPECT_EQ(hit.state, CacheState::kFresh);
    if (hit.answer) {
      EXPECT_EQ(hit.answer->addresses[0].bytes[0], 200);
    }
  });
  for (uint32_t v = 1; v <= 200; ++v) cache.insert(key(0), RrType::kA, versioned(v, 0), kNow);
  EXPECT_GT(cache.pending_reclaim_bytes(), 0u);  // 199 replaced entries retired
  // Returns only once the grace period ended, with the reader still offline (phase 0): a
  // reader that blocked reclamation would hang here (ctest's timeout fails the test).
  cache.wait_for_reclamation();
  EXPECT_EQ(cache.pending_reclaim_bytes(), 0u);
  EXPECT_EQ(cache.size(), 1u);
  phase.store(1);
  reader.join();
}

}  // namespace
}  // namespace sipedge::resolve
