// HopQuarantine: "ICMP is a hint" (issue 18 item 7). A forged ICMP error must not steer
// traffic off a hop that is answering; a hop that went quiet still fails over on one.
#include <gtest/gtest.h>

#include <vector>

#include "router/target_cache.h"

namespace sipedge::router {
namespace {

constexpr int64_t kPeriod = 30'000;

HopTarget udp_hop(uint8_t last_octet, uint16_t port = 5060) {
  HopTarget t;
  t.transport = resolve::Transport::kUdp;
  t.endpoint.address.family = 4;
  t.endpoint.address.bytes = {192, 0, 2, last_octet};
  t.endpoint.port = port;
  return t;
}

TEST(HopQuarantine, ForgedIcmpErrorAgainstAHopThatAnswered100msAgoDoesNotQuarantineIt) {
  HopQuarantine q(64, kPeriod);
  HopTarget hop = udp_hop(1);
  q.mark_answered(hop, 10'000);
  EXPECT_FALSE(q.report_icmp_error(hop, 10'100));
  EXPECT_FALSE(q.is_quarantined(hop, 10'100));
  EXPECT_FALSE(q.is_quarantined(hop, 10'101));
}

TEST(HopQuarantine, ThreeIcmpErrorsWithin2sQuarantineAnAnsweringHop) {
  HopQuarantine q(64, kPeriod);
  HopTarget hop = udp_hop(1);
  q.mark_answered(hop, 10'000);
  EXPECT_FALSE(q.report_icmp_error(hop, 10'100));
  EXPECT_FALSE(q.report_icmp_error(hop, 11'000));
  EXPECT_FALSE(q.is_quarantined(hop, 11'999));
  EXPECT_TRUE(q.report_icmp_error(hop, 12'099));  // 1,999 ms after the first
  EXPECT_TRUE(q.is_quarantined(hop, 12'099));
}

TEST(HopQuarantine, ThreeIcmpErrorsSpreadOver3sDoNotQuarantineAnAnsweringHop) {
  HopQuarantine q(64, kPeriod);
  HopTarget hop = udp_hop(1);
  q.mark_answered(hop, 10'000);
  EXPECT_FALSE(q.report_icmp_error(hop, 10'100));
  EXPECT_FALSE(q.report_icmp_error(hop, 11'600));
  EXPECT_FALSE(q.report_icmp_error(hop, 13'100));  // 3 s after the first: a new window
  EXPECT_FALSE(q.is_quarantined(hop, 13'100));
  // The third one started the new window: two more within it make three.
  EXPECT_FALSE(q.report_icmp_error(hop, 14'000));
  EXPECT_TRUE(q.report_icmp_error(hop, 15'000));
}

TEST(HopQuarantine, OneIcmpErrorQuarantinesAHopNeverHeardFrom) {
  HopQuarantine q(64, kPeriod);
  HopTarget hop = udp_hop(1);
  EXPECT_TRUE(q.report_icmp_error(hop, 10'000));
  EXPECT_TRUE(q.is_quarantined(hop, 10'000));
  // Another hop that did answer is not affected.
  HopTarget other = udp_hop(2);
  q.mark_answered(other, 10'000);
  EXPECT_FALSE(q.is_quarantined(other, 10'000));
}

TEST(HopQuarantine, OneIcmpErrorQuarantinesAHopSilentForLongerThanThePeriod) {
  HopQuarantine q(64, kPeriod);
  HopTarget hop = udp_hop(1);
  q.mark_answered(hop, 10'000);
  EXPECT_FALSE(q.report_icmp_error(hop, 10'000 + kPeriod - 1));
  EXPECT_TRUE(q.report_icmp_error(hop, 10'000 + kPeriod));
}

TEST(HopQuarantine, IcmpQuarantineEndsAfterThePeriod) {
  HopQuarantine q(64, kPeriod);
  HopTarget answering = udp_hop(1);
  HopTarget silent = udp_hop(2);
  q.mark_answered(answering, 0);
  for (int64_t t : {100, 200, 300}) q.report_icmp_error(answering, t);
  q.report_icmp_error(silent, 300);
  for (const HopTarget& hop : {answering, silent}) {
    EXPECT_TRUE(q.is_quarantined(hop, 300 + kPeriod - 1)) << hop.endpoint.to_string();
    EXPECT_FALSE(q.is_quarantined(hop, 300 + kPeriod)) << hop.endpoint.to_string();
  }
}

TEST(HopQuarantine, TheErrorCountRestartsAfterAQuarantine) {
  HopQuarantine q(64, kPeriod);
  HopTarget hop = udp_hop(1);
  q.mark_answered(hop, 0);
  for (int64_t t : {100, 200, 300}) q.report_icmp_error(hop, t);
  // It answers again after the quarantine: one error is again only a hint.
  int64_t after = 300 + kPeriod;
  q.mark_answered(hop, after);
  EXPECT_FALSE(q.report_icmp_error(hop, after + 10));
  EXPECT_FALSE(q.is_quarantined(hop, after + 10));
}

TEST(HopQuarantine, NonIcmpFailuresQuarantineAnAnsweringHopAtOnce) {
  HopQuarantine q(64, kPeriod);
  HopTarget hop = udp_hop(1);
  hop.transport = resolve::Transport::kTcp;
  q.mark_answered(hop, 10'000);
  q.mark_failed(hop, 10'100);  // connect refused, TLS handshake failed: not forgeable alike
  EXPECT_TRUE(q.is_quarantined(hop, 10'100));
  EXPECT_FALSE(q.is_quarantined(hop, 10'100 + kPeriod));
}

TEST(HopQuarantine, AnAnswerDoesNotLiftAQuarantine) {
  // A spoofed message "from" the hop must not bring it back early either.
  HopQuarantine q(64, kPeriod);
  HopTarget hop = udp_hop(1);
  q.mark_failed(hop, 1'000);
  q.mark_answered(hop, 2'000);
  EXPECT_TRUE(q.is_quarantined(hop, 2'000));
  // Errors while quarantined keep it so.
  EXPECT_TRUE(q.report_icmp_error(hop, 2'100));
}

TEST(HopQuarantine, AnswersAreRememberedPerTransport) {
  HopQuarantine q(64, kPeriod);
  HopTarget udp = udp_hop(1);
  HopTarget tcp = udp;
  tcp.transport = resolve::Transport::kTcp;
  q.mark_answered(udp, 0);
  EXPECT_TRUE(q.report_icmp_error(tcp, 100));
  EXPECT_FALSE(q.is_quarantined(udp, 100));
}

TEST(HopQuarantine, AnsweredTimeIsRewrittenOnlyWhenASecondOld) {
  // Answers within kAnsweredRefreshMs of the remembered one do not write the slot: the
  // remembered time may lag by up to that much.
  HopQuarantine q(64, kPeriod);
  HopTarget lagging = udp_hop(1);
  q.mark_answered(lagging, 0);
  q.mark_answered(lagging, HopQuarantine::kAnsweredRefreshMs - 1);
  EXPECT_TRUE(q.report_icmp_error(lagging, kPeriod + 500));
  HopTarget refreshed = udp_hop(2);
  q.mark_answered(refreshed, 0);
  q.mark_answered(refreshed, HopQuarantine::kAnsweredRefreshMs);
  EXPECT_FALSE(q.report_icmp_error(refreshed, kPeriod + 500));
}

TEST(HopQuarantine, AnswersFromManyHopsNeverEvictALiveQuarantine) {
  // One group of slots (capacity 4): answers from 1,000 other sources (spoofable) cannot
  // push a quarantined hop out.
  HopQuarantine q(4, kPeriod);
  std::vector<HopTarget> failed;
  for (uint8_t i = 0; i < 4; ++i) {
    failed.push_back(udp_hop(i));
    q.mark_failed(failed.back(), 0);
  }
  for (int i = 0; i < 1'000; ++i)
    q.mark_answered(udp_hop(static_cast<uint8_t>(i), static_cast<uint16_t>(6000 + i)), 10);
  for (const HopTarget& t : failed) EXPECT_TRUE(q.is_quarantined(t, 20)) << t.endpoint.to_string();
}

TEST(HopQuarantine, WhenTheTableIsFullOfAnsweringHopsANewHopFallsBackToOneError) {
  HopQuarantine q(4, kPeriod);
  for (uint8_t i = 0; i < 4; ++i) q.mark_answered(udp_hop(i), 0);
  HopTarget late = udp_hop(100);
  q.mark_answered(late, 10);  // no spare slot: not remembered
  EXPECT_TRUE(q.report_icmp_error(late, 20));
  EXPECT_TRUE(q.is_quarantined(late, 20));
  // Once the others' answers are older than the period their slots are spare again.
  HopTarget later = udp_hop(101);
  q.mark_answered(later, kPeriod + 10);
  EXPECT_FALSE(q.report_icmp_error(later, kPeriod + 20));
}

}  // namespace
}  // namespace sipedge::router
