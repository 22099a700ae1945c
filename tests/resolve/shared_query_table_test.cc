// The table of upstream queries shared by workers: one owner per key, waiters get the
// owner's reply in their mailbox with one wake-up, and an owner that leaves fails its
// waiters instead of leaving them hanging.
#include "resolve/shared_query_table.h"

#include <gtest/gtest.h>

#include <memory>
#include <string>
#include <utility>

namespace sipedge::resolve {
namespace {

std::shared_ptr<const DnsUpstream::Reply> reply_with(DnsStatus status) {
  auto r = std::make_shared<DnsUpstream::Reply>();
  r->answer.status = status;
  return r;
}

class SharedQueryTableTest : public ::testing::Test {
 protected:
  SharedQueryTable::Participant join(int* wakes) {
    return table_.join([wakes] { ++*wakes; });
  }

  SharedQueryTable table_;
};

TEST_F(SharedQueryTableTest, TheFirstClaimOwnsAndLaterOnesWait) {
  int wakes_a = 0, wakes_b = 0, wakes_c = 0;
  auto a = join(&wakes_a);
  auto b = join(&wakes_b);
  auto c = join(&wakes_c);
  EXPECT_TRUE(a.claim("A:pbx.example.test"));
  EXPECT_FALSE(b.claim("A:pbx.example.test"));
  EXPECT_FALSE(c.claim("A:pbx.example.test"));
  EXPECT_TRUE(b.claim("AAAA:pbx.example.test"));  // another key: another owner
  EXPECT_EQ(table_.in_flight(), 2u);
  // Claiming again changes nothing: the owner still owns, the waiter still waits.
  EXPECT_TRUE(a.claim("A:pbx.example.test"));
  EXPECT_FALSE(b.claim("A:pbx.example.test"));
  EXPECT_EQ(wakes_a + wakes_b + wakes_c, 0);
}

TEST_F(SharedQueryTableTest, PublishPostsTheReplyToEveryWaiterOnceAndFreesTheKey) {
  int wakes_a = 0, wakes_b = 0, wakes_c = 0;
  auto a = join(&wakes_a);
  auto b = join(&wakes_b);
  auto c = join(&wakes_c);
  ASSERT_TRUE(a.claim("k"));
  ASSERT_FALSE(b.claim("k"));
  ASSERT_FALSE(c.claim("k"));
  ASSERT_FALSE(b.claim("k"));  // a second claim does not register b twice
  auto reply = reply_with(DnsStatus::kNoError);
  EXPECT_TRUE(a.publish("k", reply));
  EXPECT_EQ(wakes_a, 0);  // the owner is not a waiter
  EXPECT_EQ(wakes_b, 1);
  EXPECT_EQ(wakes_c, 1);
  EXPECT_FALSE(a.has_mail());
  ASSERT_TRUE(b.has_mail());
  auto got = b.take();
  ASSERT_EQ(got.size(), 1u);
  EXPECT_EQ(got[0].key, "k");
  EXPECT_EQ(got[0].reply, reply);  // the same immutable reply, not a copy
  EXPECT_FALSE(b.has_mail());
  EXPECT_TRUE(b.take().empty());
  EXPECT_EQ(c.take().size(), 1u);
  // The key is free again: the next miss owns a new query.
  EXPECT_EQ(table_.in_flight(), 0u);
  EXPECT_TRUE(c.claim("k"));
}

TEST_F(SharedQueryTableTest, OnlyTheOwnerPublishes) {
  int wakes = 0;
  auto a = join(&wakes);
  auto b = join(&wakes);
  ASSERT_TRUE(a.claim("k"));
  ASSERT_FALSE(b.claim("k"));
  EXPECT_FALSE(b.publish("k", reply_with(DnsStatus::kNoError)));
  EXPECT_FALSE(a.publish("other", reply_with(DnsStatus::kNoError)));
  EXPECT_EQ(wakes, 0);
  EXPECT_EQ(table_.in_flight(), 1u);
}

TEST_F(SharedQueryTableTest, AFullMailboxIsWokenOnceAndTakenOldestFirst) {
  int wakes_a = 0, wakes_b = 0;
  auto a = join(&wakes_a);
  auto b = join(&wakes_b);
  for (const char* key : {"k1", "k2", "k3"}) {
    ASSERT_TRUE(a.claim(key));
    ASSERT_FALSE(b.claim(key));
  }
  a.publish("k2", reply_with(DnsStatus::kNoError));
  a.publish("k1", reply_with(DnsStatus::kServFail));
  EXPECT_EQ(wakes_b, 1);  // b takes everything at once: one wake-up is enough
  auto got = b.take();
  ASSERT_EQ(got.size(), 2u);
  EXPECT_EQ(got[0].key, "k2");
  EXPECT_EQ(got[1].key, "k1");
  EXPECT_EQ(got[1].reply->answer.status, DnsStatus::kServFail);
  // Once taken, the next outcome wakes again.
  a.publish("k3", reply_with(DnsStatus::kNoError));
  EXPECT_EQ(wakes_b, 2);
}

TEST_F(SharedQueryTableTest, AWithdrawnWaiterGetsNothing) {
  int wakes_b = 0;
  auto a = table_.join({});
  auto b = join(&wakes_b);
  ASSERT_TRUE(a.claim("k"));
  ASSERT_FALSE(b.claim("k"));
  b.withdraw("k");
  a.publish("k", reply_with(DnsStatus::kNoError));
  EXPECT_EQ(wakes_b, 0);
  EXPECT_TRUE(b.take().empty());
}

TEST_F(SharedQueryTableTest, AnOwnerThatLeavesFailsItsWaitersAsTimeouts) {
  int wakes_b = 0;
  auto a = table_.join({});
  auto b = join(&wakes_b);
  ASSERT_TRUE(a.claim("k1"));
  ASSERT_TRUE(a.claim("k2"));
  ASSERT_FALSE(b.claim("k1"));
  ASSERT_TRUE(b.claim("k3"));
  a.reset();
  EXPECT_FALSE(a);
  EXPECT_EQ(wakes_b, 1);
  auto got = b.take();
  ASSERT_EQ(got.size(), 1u);  // k2 had no waiter; k3 is b's own
  EXPECT_EQ(got[0].key, "k1");
  EXPECT_EQ(got[0].reply->answer.status, DnsStatus::kTimeout);
  EXPECT_EQ(table_.in_flight(), 1u);  // only b's k3
}

TEST_F(SharedQueryTableTest, AWaiterThatLeavesIsNotWokenAndItsHandleLeavesWhenDestroyed) {
  int wakes_b = 0;
  auto a = table_.join({});
  {
    auto b = join(&wakes_b);
    ASSERT_TRUE(a.claim("k"));
    ASSERT_FALSE(b.claim("k"));
    ASSERT_TRUE(b.claim("mine"));
  }  // b leaves: its wake (which points at a dead counter in real use) must not run
  EXPECT_TRUE(a.publish("k", reply_with(DnsStatus::kNoError)));
  EXPECT_EQ(wakes_b, 0);
  EXPECT_TRUE(a.claim("mine"));  // b's query ended with it
}

TEST_F(SharedQueryTableTest, AMovedHandleKeepsTheMembershipAndAnEmptyOneSharesNothing) {
  int wakes = 0;
  auto a = table_.join({});
  SharedQueryTable::Participant b;
  EXPECT_FALSE(b);
  EXPECT_TRUE(b.claim("k"));  // nobody to share with: always the owner
  EXPECT_FALSE(b.publish("k", reply_with(DnsStatus::kNoError)));
  EXPECT_TRUE(b.take().empty());
  b = join(&wakes);
  SharedQueryTable::Participant moved = std::move(b);
  EXPECT_FALSE(b);  // NOLINT(bugprone-use-after-move): moved-from is specified empty
  ASSERT_TRUE(a.claim("k"));
  ASSERT_FALSE(moved.claim("k"));
  a.publish("k", reply_with(DnsStatus::kNoError));
  EXPECT_EQ(wakes, 1);
  EXPECT_EQ(moved.take().size(), 1u);
}

}  // namespace
}  // namespace sipedge::resolve
