// Misses shared across workers: several CachingDnsSource (one per worker, each with its own
// upstream) over one DnsCache and one SharedQueryTable. A cold name costs one upstream
// query whichever workers ask; failures, serve-stale and the RFC 8767 timers behave for a
// waiting worker as for the one that asked; a waiter never hangs on an owner that went
// away or is too slow. The threaded tests also run under ThreadSanitizer (label "tsan").
#include <gtest/gtest.h>

#include <atomic>
#include <condition_variable>
#include <functional>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <thread>
#include <vector>

#include "fake_dns_source.h"
#include "fake_dns_upstream.h"
#include "resolve/caching_dns_source.h"
#include "resolve/rcu_thread.h"
#include "resolve/shared_query_table.h"

namespace sipedge::resolve {
namespace {

using testing::addresses;
using testing::FakeUpstream;
using testing::status_only;

constexpr const char* kName = "pbx.example.test";

struct Got {
  DnsAnswer answer;
  std::vector<DnsStep> steps;
  bool network = false;
};

// What one lookup's callback delivered, and how often it was called.
struct Slot {
  std::optional<Got> got;
  int calls = 0;
};

// One router worker as far as DNS goes: its own upstream and source, joined to the table;
// the wake-ups it would get on its eventfd are counted. Members are destroyed source
// first, so the membership is left before the counter and the upstream go.
struct DnsWorker {
  DnsWorker(DnsCache& cache, SharedQueryTable& table, CachingDnsSource::Clock clock,
            CachingDnsSourceConfig config = {})
      : source(std::make_unique<CachingDnsSource>(cache, upstream, std::move(clock), config,
                                                  table.join([this] { wakes.fetch_add(1); }))) {}

  void lookup_into(const char* name, Slot* slot) {
    source->lookup(name, RrType::kA, [slot](const DnsAnswer& a, std::vector<DnsStep>&& s, bool n) {
      slot->got = Got{a, std::move(s), n};
      ++slot->calls;
    });
  }
  Got lookup(const char* name) {
    Slot slot;
    lookup_into(name, &slot);
    EXPECT_EQ(slot.calls, 1) << name << " was not answered at once";
    return slot.got.value_or(Got{});
  }

  FakeUpstream upstream;
  std::atomic<int> wakes{0};
  std::unique_ptr<CachingDnsSource> source;
};

class SharedQueriesTest : public ::testing::Test {
 protected:
  CachingDnsSource::Clock clock() {
    return [this] { return now_ms_; };
  }
  // A fresh entry for `name` (asked by w1), then the clock moved past its TTL.
  void make_stale(const char* name) {
    w1_.upstream.next = addresses({"192.0.2.1"}, 60);
    w1_.lookup(name);
    now_ms_ += 61'000;
  }

  RcuThread rcu_;
  int64_t now_ms_ = 1'000'000;
  DnsCache cache_;
  SharedQueryTable table_;
  DnsWorker w1_{cache_, table_, clock()};
  DnsWorker w2_{cache_, table_, clock()};
};

TEST_F(SharedQueriesTest, AColdNameMissedOnTwoWorkersCostsOneUpstreamQuery) {
  w1_.upstream.deferred = true;
  w1_.upstream.next = addresses({"192.0.2.1"}, 60);
  Slot a, b, b_again;
  w1_.lookup_into(kName, &a);
  w2_.lookup_into(kName, &b);
  w2_.lookup_into(kName, &b_again);  // joins w2's own wait
  EXPECT_EQ(w1_.upstream.queries, 1);
  EXPECT_EQ(w2_.upstream.queries, 0);
  EXPECT_EQ(w2_.source->shared_waits(), 1u);
  EXPECT_EQ(w2_.source->coalesced(), 1u);

  w1_.upstream.answer_all();
  ASSERT_TRUE(a.got);
  EXPECT_FALSE(b.got);             // w2's loop has not taken the outcome yet...
  EXPECT_EQ(w2_.wakes.load(), 1);  // ...but has been woken for it
  EXPECT_EQ(w1_.wakes.load(), 0);
  EXPECT_EQ(w2_.source->drain_shared(), 1u);
  for (Slot* s : {&b, &b_again}) {
    ASSERT_EQ(s->calls, 1);
    ASSERT_EQ(s->got->answer.addresses.size(), 1u);
    EXPECT_EQ(s->got->answer.addresses[0].to_string(), "192.0.2.1");
    EXPECT_TRUE(s->got->network);
  }
  EXPECT_EQ(w2_.source->drain_shared(), 0u);
  // w1 filled the cache: w2's next lookup is a hit, and nothing is in flight any more.
  EXPECT_FALSE(w2_.lookup(kName).network);
  EXPECT_EQ(w1_.upstream.queries + w2_.upstream.queries, 1);
  EXPECT_EQ(table_.in_flight(), 0u);
  EXPECT_TRUE(w2_.upstream.timers.empty());  // the wait's safety timer was cancelled
}

TEST_F(SharedQueriesTest, Rfc8767_AFailureIsSharedAndEachWorkerServesTheStaleAnswer) {
  make_stale(kName);
  w1_.upstream.deferred = true;
  w1_.upstream.next = status_only(DnsStatus::kServFail);
  Slot a, b;
  w1_.lookup_into(kName, &a);
  w2_.lookup_into(kName, &b);
  w1_.upstream.answer_all();
  w2_.source->drain_shared();
  for (Slot* s : {&a, &b}) {
    ASSERT_EQ(s->calls, 1);
    EXPECT_EQ(s->got->answer.status, DnsStatus::kNoError);
    EXPECT_EQ(s->got->answer.addresses[0].to_string(), "192.0.2.1");
    EXPECT_TRUE(s->got->steps.back().stale);
  }
  EXPECT_EQ(cache_.stale_served(), 2u);
  // The waiting worker also starts its failure-recheck timer: stale at once, nothing asked.
  now_ms_ += 10'000;
  Got during = w2_.lookup(kName);
  EXPECT_TRUE(during.steps.back().stale);
  EXPECT_FALSE(during.network);
  EXPECT_EQ(w2_.upstream.queries, 0);
  EXPECT_EQ(w1_.upstream.queries, 2);  // the fill and the failed refresh
}

TEST_F(SharedQueriesTest, AFailureWithNothingStaleReachesTheWaiterAsIs) {
  w1_.upstream.deferred = true;
  w1_.upstream.next = status_only(DnsStatus::kTimeout);
  Slot a, b;
  w1_.lookup_into(kName, &a);
  w2_.lookup_into(kName, &b);
  w1_.upstream.answer_all();
  w2_.source->drain_shared();
  ASSERT_EQ(b.calls, 1);
  EXPECT_EQ(b.got->answer.status, DnsStatus::kTimeout);
  ASSERT_FALSE(b.got->steps.empty());
  EXPECT_EQ(b.got->steps.back().status, DnsStatus::kTimeout);
  EXPECT_EQ(w2_.upstream.queries, 0);
}

TEST_F(SharedQueriesTest, AWorkerThatGoesAwayFailsItsWaitersInsteadOfLeavingThemHanging) {
  w1_.upstream.deferred = true;
  Slot a, b;
  w1_.lookup_into(kName, &a);
  w2_.lookup_into(kName, &b);
  w1_.source.reset();  // the worker's teardown; its query never answers
  EXPECT_EQ(w2_.wakes.load(), 1);
  EXPECT_EQ(w2_.source->drain_shared(), 1u);
  ASSERT_EQ(b.calls, 1);
  EXPECT_EQ(b.got->answer.status, DnsStatus::kTimeout);
  EXPECT_EQ(table_.in_flight(), 0u);
  // The name is free: the next miss asks the upstream itself.
  w2_.upstream.next = addresses({"192.0.2.4"}, 60);
  now_ms_ += 31'000;  // past the failure-recheck timer (nothing stale anyway)
  EXPECT_EQ(w2_.lookup(kName).answer.addresses[0].to_string(), "192.0.2.4");
  EXPECT_EQ(w2_.upstream.queries, 1);
}

TEST_F(SharedQueriesTest, LeavingTheTableEndsTheWorkersOwnWaitsAsTimeouts) {
  w1_.upstream.deferred = true;
  Slot a, b;
  w1_.lookup_into(kName, &a);
  w2_.lookup_into(kName, &b);
  ASSERT_EQ(w2_.upstream.timers.size(), 1u);
  w2_.source->leave_shared();  // first step of the router worker's teardown
  ASSERT_EQ(b.calls, 1);
  EXPECT_EQ(b.got->answer.status, DnsStatus::kTimeout);
  EXPECT_TRUE(w2_.upstream.timers.empty());  // cancelled while the upstream still exists
  // w1's answer no longer concerns w2: not posted, not woken.
  w1_.upstream.next = addresses({"192.0.2.1"}, 60);
  w1_.upstream.answer_all();
  EXPECT_EQ(w2_.wakes.load(), 0);
  EXPECT_EQ(b.calls, 1);
}

TEST_F(SharedQueriesTest, AWaitThatOutlastsTheOwnersWorstCaseAsksTheUpstreamItself) {
  w1_.upstream.deferred = true;
  Slot a, b;
  w1_.lookup_into(kName, &a);
  w2_.lookup_into(kName, &b);
  ASSERT_EQ(w2_.upstream.timers.size(), 1u);
  EXPECT_EQ(w2_.upstream.last_delay_ms, CachingDnsSourceConfig{}.shared_wait_ms);
  w2_.upstream.next = addresses({"192.0.2.2"}, 60);
  w2_.upstream.fire_timers();  // shared_wait_ms passed without w1's outcome
  EXPECT_EQ(w2_.upstream.queries, 1);
  EXPECT_EQ(w2_.source->shared_waits_expired(), 1u);
  ASSERT_EQ(b.calls, 1);
  EXPECT_EQ(b.got->answer.addresses[0].to_string(), "192.0.2.2");
  // w1's late answer: w2 withdrew, so it is neither posted nor answered twice.
  w1_.upstream.next = addresses({"192.0.2.1"}, 60);
  w1_.upstream.answer_all();
  EXPECT_EQ(w2_.wakes.load(), 0);
  EXPECT_EQ(w2_.source->drain_shared(), 0u);
  EXPECT_EQ(b.calls, 1);
  ASSERT_EQ(a.calls, 1);
}

TEST_F(SharedQueriesTest, Rfc8767_AWaitingWorkerServesStaleAfterTheClientResponseTimer) {
  make_stale(kName);
  w1_.upstream.deferred = true;
  Slot a, b;
  w1_.lookup_into(kName, &a);
  w2_.lookup_into(kName, &b);
  EXPECT_FALSE(b.got);
  w2_.upstream.fire_timers(1800);  // the client-response timer, not the shared wait
  ASSERT_EQ(b.calls, 1);
  EXPECT_TRUE(b.got->steps.back().stale);
  EXPECT_TRUE(b.got->network);
  EXPECT_EQ(w2_.upstream.queries, 0);  // still waiting for w1's refresh, not asking
  // A lookup on w2 meanwhile gets the stale answer at once.
  EXPECT_TRUE(w2_.lookup(kName).steps.back().stale);
  // The refresh answers: w2 completes its wait without answering b twice.
  w1_.upstream.next = addresses({"192.0.2.2"}, 60);
  w1_.upstream.answer_all();
  EXPECT_EQ(w2_.source->drain_shared(), 1u);
  EXPECT_EQ(b.calls, 1);
  EXPECT_TRUE(w2_.upstream.timers.empty());
  Got after = w2_.lookup(kName);
  EXPECT_FALSE(after.network);
  EXPECT_EQ(after.answer.addresses[0].to_string(), "192.0.2.2");
}

TEST_F(SharedQueriesTest, AnAnswerThatLandsBetweenTheMissAndTheClaimIsNotAskedAgain) {
  // w3's clock is read once for the lookup (a miss) and again once it owns the key: the
  // second read stands for "meanwhile": w1 waits for the name, w4's answer lands.
  int reads = 0;
  Slot joined;
  auto racing_clock = [&] {
    if (++reads == 2) {
      w1_.lookup_into(kName, &joined);  // w3 owns the key now: w1 waits for it
      cache_.insert(kName, RrType::kA, addresses({"192.0.2.9"}, 60), now_ms_);
    }
    return now_ms_;
  };
  DnsWorker w3(cache_, table_, racing_clock);
  Got got = w3.lookup(kName);
  ASSERT_EQ(got.answer.addresses.size(), 1u);
  EXPECT_EQ(got.answer.addresses[0].to_string(), "192.0.2.9");
  EXPECT_FALSE(got.network);
  EXPECT_EQ(w3.upstream.queries, 0);
  // The claim was released with the cached answer, for w1 too.
  EXPECT_EQ(table_.in_flight(), 0u);
  EXPECT_EQ(w1_.source->drain_shared(), 1u);
  ASSERT_EQ(joined.calls, 1);
  EXPECT_EQ(joined.got->answer.addresses[0].to_string(), "192.0.2.9");
  EXPECT_EQ(w1_.upstream.queries, 0);
}

// A latch a test thread waits on (no timing: it waits as long as it takes).
class Signal {
 public:
  void raise() {
    std::lock_guard lock(mu_);
    raised_ = true;
    cv_.notify_all();
  }
  void wait() {
    std::unique_lock lock(mu_);
    cv_.wait(lock, [this] { return raised_; });
  }

 private:
  std::mutex mu_;
  std::condition_variable cv_;
  bool raised_ = false;
};

TEST(SharedQueriesAcrossThreads, TwoWorkerThreadsMissingOneColdNameSendOneQuery) {
  constexpr int64_t kNow = 1'000'000;
  RcuThread main_rcu;
  DnsCache cache;
  SharedQueryTable table;
  FakeUpstream up1, up2;
  up1.deferred = true;
  up1.next = addresses({"192.0.2.1"}, 60);
  Signal claimed, waiting, woken;
  Slot a, b;
  {
    auto clock = [] { return kNow; };
    CachingDnsSource s1(cache, up1, clock, {}, table.join({}));
    CachingDnsSource s2(cache, up2, clock, {}, table.join([&woken] { woken.raise(); }));
    auto done_into = [](Slot* slot) {
      return [slot](const DnsAnswer& ans, std::vector<DnsStep>&& s, bool n) {
        slot->got = Got{ans, std::move(s), n};
        ++slot->calls;
      };
    };
    std::thread t1([&] {
      RcuThread rcu;
      s1.lookup(kName, RrType::kA, done_into(&a));
      claimed.raise();
      waiting.wait();
      up1.answer_all();  // inserts into the cache, then posts to s2 and wakes it
      RcuThread::quiescent();
    });
    std::thread t2([&] {
      RcuThread rcu;
      claimed.wait();
      s2.lookup(kName, RrType::kA, done_into(&b));
      waiting.raise();
      woken.wait();
      s2.drain_shared();
      RcuThread::quiescent();
    });
    t1.join();
    t2.join();
  }
  EXPECT_EQ(up1.queries + up2.queries, 1);
  for (Slot* s : {&a, &b}) {
    ASSERT_EQ(s->calls, 1);
    ASSERT_EQ(s->got->answer.addresses.size(), 1u);
    EXPECT_EQ(s->got->answer.addresses[0].to_string(), "192.0.2.1");
  }
}

// Many workers, many cold names at once, every interleaving the scheduler produces: every
// lookup is answered once with its own name's answer; each was either a query, a wait for
// another worker's query, or a cache hit (never a wait that also sent a query); and each
// name was asked once in all.
TEST(SharedQueriesAcrossThreads, EveryLookupIsAnsweredOnceWhateverTheInterleaving) {
  constexpr int kThreads = 3;
  constexpr int kNames = 24;
  constexpr int kStrides[kThreads] = {1, 7, 13};  // coprime with kNames: permutations
  constexpr int kRounds = 30;
  constexpr int64_t kNow = 1'000'000;
  constexpr long kMaxTurns = 50'000'000;  // a lost outcome fails the test instead of hanging
  RcuThread main_rcu;
  DnsCache cache;
  SharedQueryTable table;
  std::atomic<long> wrong{0}, unanswered{0}, accounted{0}, queries{0};
  {
    std::vector<std::thread> threads;
    for (int t = 0; t < kThreads; ++t) {
      threads.emplace_back([&, t] {
        RcuThread rcu;
        FakeUpstream up;
        up.deferred = true;
        up.answer_for = [](const std::string& name) {
          DnsAnswer a = addresses({"192.0.2.1"}, 300);
          a.canonical_name = name;
          return a;
        };
        CachingDnsSource source(
            cache, up, [] { return kNow; }, {}, table.join({}));
        long hits = 0;
        for (int round = 0; round < kRounds; ++round) {
          std::vector<std::string> names;
          for (int i = 0; i < kNames; ++i)  // each thread its own order of the same names
            names.push_back("h" + std::to_string((i * kStrides[t]) % kNames) + ".r" +
                            std::to_string(round) + ".example.test");
          std::vector<int> calls(kNames, 0);
          int answered = 0;
          for (int i = 0; i < kNames; ++i) {
            source.lookup(names[i], RrType::kA,
                          [&, i](const DnsAnswer& a, std::vector<DnsStep>&&, bool network) {
                            if (a.canonical_name != names[i]) wrong.fetch_add(1);
                            if (!network) ++hits;
                            ++calls[i];
                            ++answered;
                          });
          }
          for (long turn = 0; answered < kNames && turn < kMaxTurns; ++turn) {
            up.answer_all();
            source.drain_shared();
            RcuThread::quiescent();
            if (answered < kNames) std::this_thread::yield();
          }
          for (int c : calls)
            if (c != 1) unanswered.fetch_add(1);
          if (answered < kNames) return;  // callbacks still held point into this round
          RcuThread::quiescent();
        }
        queries.fetch_add(up.queries);
        accounted.fetch_add(static_cast<long>(source.upstream_queries() + source.shared_waits()) +
                            hits);
      });
    }
    for (std::thread& th : threads) th.join();
  }
  EXPECT_EQ(wrong.load(), 0);
  EXPECT_EQ(unanswered.load(), 0);
  EXPECT_EQ(accounted.load(), long{kThreads} * kNames * kRounds);
  // One query per name, whichever workers missed it: a worker that claims a name after its
  // owner published finds the owner's answer in the cache (checked after the claim).
  EXPECT_EQ(queries.load(), long{kNames} * kRounds);
}

}  // namespace
}  // namespace sipedge::resolve
