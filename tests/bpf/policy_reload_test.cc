// Operator-facing map edits against a live program: a whole policy replaced at once never
// lets a denied source through, per-prefix hit counters count what each entry decided, and
// a rate limit changed alone keeps the others.
#include <atomic>
#include <thread>

#include "xdp_fixture.h"
#include "xdp/policy_file.h"

namespace sipedge::testing {
namespace {

using sipedge::xdp::ParsePrefix;
using sipedge::xdp::PolicyRule;

PolicyRule Rule(const char* prefix, unsigned action, uint32_t flags = 0) {
  return {*ParsePrefix(prefix), action, flags};
}

// 1000 unrelated /24s, plus `extra`.
std::vector<PolicyRule> BigSet(const std::vector<PolicyRule>& extra, int salt) {
  std::vector<PolicyRule> rules;
  for (int i = 0; i < 1000; ++i)
    rules.push_back(Rule(("10." + std::to_string((i + salt) % 250) + "." +
                          std::to_string(i / 250 + 4 * (salt % 50)) + ".0/24")
                             .c_str(),
                         SIPEDGE_POLICY_ALLOW));
  rules.insert(rules.end(), extra.begin(), extra.end());
  return rules;
}

using PolicyReloadTest = XdpProgTest;

TEST_F(PolicyReloadTest, ReplaceInstallsExactlyTheNewSet) {
  ASSERT_TRUE(sipedge::xdp::PolicyAdd(maps_, *ParsePrefix("192.0.2.0/24"), SIPEDGE_POLICY_DENY));
  auto n = sipedge::xdp::PolicyReplace(maps_, {Rule("198.51.100.0/24", SIPEDGE_POLICY_DENY),
                                               Rule("2001:db8::/32", SIPEDGE_POLICY_TLS_ONLY)});
  ASSERT_TRUE(n) << n.error();
  EXPECT_EQ(*n, 2u);
  auto list = sipedge::xdp::PolicyList(maps_);
  ASSERT_TRUE(list);
  ASSERT_EQ(list->size(), 2u);
  EXPECT_EQ((*list)[0].prefix, "198.51.100.0/24");
  EXPECT_EQ((*list)[1].prefix, "2001:db8::/32");
  EXPECT_EQ(Run(UdpV4("192.0.2.7", 5060, kInvite)), XDP_PASS) << "the old entry is gone";
  EXPECT_EQ(Run(UdpV4("198.51.100.7", 5060, kInvite)), XDP_DROP) << "the new entry holds";
  Packet v6;
  v6.Eth().IPv6("2001:db8::5", "2001:db8:1::1").Udp(5062, 5060).Payload(kInvite);
  EXPECT_EQ(Run(v6), XDP_DROP);
  EXPECT_EQ(Drops(SIPEDGE_DROP_TLS_REQUIRED), 1u);

  // A second replace flips back to the first set, which must hold only the new entries; an
  // add after it lands in the active set.
  ASSERT_TRUE(sipedge::xdp::PolicyReplace(maps_, {Rule("203.0.113.0/24", SIPEDGE_POLICY_DENY)}));
  ASSERT_TRUE(sipedge::xdp::PolicyAdd(maps_, *ParsePrefix("192.0.2.0/24"), SIPEDGE_POLICY_DENY));
  list = sipedge::xdp::PolicyList(maps_);
  ASSERT_TRUE(list);
  EXPECT_EQ(list->size(), 2u);
  EXPECT_EQ(Run(UdpV4("198.51.100.7", 5060, kInvite)), XDP_PASS);
  EXPECT_EQ(Run(UdpV4("203.0.113.7", 5060, kInvite)), XDP_DROP);
  EXPECT_EQ(Run(UdpV4("192.0.2.7", 5060, kInvite)), XDP_DROP);
  Packet v6b;
  v6b.Eth().IPv6("2001:db8::5", "2001:db8:1::1").Udp(5062, 5060).Payload(kInvite);
  EXPECT_EQ(Run(v6b), XDP_PASS) << "the IPv6 trie of the new set is empty and skipped";
  ASSERT_TRUE(sipedge::xdp::PolicyReplace(maps_, {}));
  EXPECT_EQ(Run(UdpV4("203.0.113.7", 5060, kInvite)), XDP_PASS) << "an empty load clears";
}

// A packet from a denied source, run over and over while the policy is reloaded again and
// again with sets that all deny it, must never pass: a replace that deleted and re-added
// entries in place (or filled the live trie) would let some through.
TEST_F(PolicyReloadTest, ReloadNeverLetsADeniedSourceThrough) {
  auto deny = Rule("192.0.2.0/24", SIPEDGE_POLICY_DENY);
  ASSERT_TRUE(sipedge::xdp::PolicyReplace(maps_, BigSet({deny}, 0)));
  std::atomic<bool> done{false};
  std::thread reloader([&] {
    for (int i = 1; i <= 20; ++i) {
      auto r = sipedge::xdp::PolicyReplace(maps_, BigSet({deny}, i));
      EXPECT_TRUE(r) << r.error();
    }
    done = true;
  });
  auto frame = UdpV4("192.0.2.9", 5060, kInvite).Build();
  uint64_t runs = 0;
  while (!done) {
    LIBBPF_OPTS(bpf_test_run_opts, opts);
    opts.data_in = frame.data();
    opts.data_size_in = static_cast<uint32_t>(frame.size());
    opts.repeat = 100000;  // one call spans many reload windows
    ASSERT_EQ(bpf_prog_test_run_opts(bpf_program__fd(skel_->progs.sipedge_xdp), &opts), 0);
    runs += opts.repeat;
  }
  reloader.join();
  std::printf("[ reload ] %llu runs during 20 reloads of 1001 entries\n",
              static_cast<unsigned long long>(runs));
  EXPECT_EQ(ClassPackets(SIPEDGE_CLASS_SIP_UDP), 0u);
  EXPECT_EQ(Drops(SIPEDGE_DROP_DENIED), runs);
}

TEST_F(PolicyReloadTest, HitCountersCountDecisionsAndSurviveAReload) {
  ASSERT_TRUE(sipedge::xdp::PolicyAdd(maps_, *ParsePrefix("192.0.2.0/24"), SIPEDGE_POLICY_DENY));
  ASSERT_TRUE(sipedge::xdp::PolicyAdd(maps_, *ParsePrefix("192.0.2.128/25"), SIPEDGE_POLICY_ALLOW));
  for (int i = 0; i < 3; ++i) Run(UdpV4("192.0.2.1", 5060, kInvite));
  for (int i = 0; i < 2; ++i) Run(UdpV4("192.0.2.200", 5060, kInvite));
  Run(UdpV4("198.51.100.1", 5060, kInvite));  // unlisted: no entry's hit
  auto hits = [&](const std::string& prefix) -> uint64_t {
    auto list = sipedge::xdp::PolicyList(maps_);
    EXPECT_TRUE(list);
    for (const auto& e : *list)
      if (e.prefix == prefix) return e.hits;
    ADD_FAILURE() << prefix << " not listed";
    return 0;
  };
  EXPECT_EQ(hits("192.0.2.0/24"), 3u);
  EXPECT_EQ(hits("192.0.2.128/25"), 2u);
  // Re-adding keeps the count; a reload carries it over for prefixes in both sets.
  ASSERT_TRUE(sipedge::xdp::PolicyAdd(maps_, *ParsePrefix("192.0.2.0/24"), SIPEDGE_POLICY_DENY));
  ASSERT_TRUE(sipedge::xdp::PolicyReplace(maps_, {Rule("192.0.2.0/24", SIPEDGE_POLICY_DENY),
                                                  Rule("203.0.113.0/24", SIPEDGE_POLICY_DENY)}));
  EXPECT_EQ(hits("192.0.2.0/24"), 3u);
  EXPECT_EQ(hits("203.0.113.0/24"), 0u);
  Run(UdpV4("192.0.2.1", 5060, kInvite));
  EXPECT_EQ(hits("192.0.2.0/24"), 4u);
}

TEST_F(PolicyReloadTest, ChangingOneLimitKeepsTheOthers) {
  ASSERT_TRUE(sipedge::xdp::SetRateLimit(maps_, 100, 10, 20, 4));
  sipedge::xdp::RateLimitChange change;
  change.syn_pps = 50;
  ASSERT_TRUE(sipedge::xdp::UpdateRateLimits(maps_, change));
  auto cfg = sipedge::xdp::ReadConfig(maps_);
  ASSERT_TRUE(cfg);
  EXPECT_EQ(cfg->dgram_pps, 100u);
  EXPECT_EQ(cfg->dgram_burst, 10u);
  EXPECT_EQ(cfg->dgram_cost_ns, 10000000u);
  EXPECT_EQ(cfg->syn_pps, 50u);
  EXPECT_EQ(cfg->syn_burst, 4u);
  EXPECT_EQ(cfg->syn_cost_ns, 20000000u);
  EXPECT_EQ(cfg->syn_cap_ns, 3 * 20000000u);
  EXPECT_EQ(cfg->newsrc_pps, sipedge::xdp::kNewSourcePps);

  sipedge::xdp::RateLimitChange bad;
  bad.burst = 0;  // with 100 pps kept: refused, and nothing changes
  bad.new_pps = 2000;
  EXPECT_FALSE(sipedge::xdp::UpdateRateLimits(maps_, bad));
  cfg = sipedge::xdp::ReadConfig(maps_);
  ASSERT_TRUE(cfg);
  EXPECT_EQ(cfg->dgram_burst, 10u);
  EXPECT_EQ(cfg->newsrc_pps, sipedge::xdp::kNewSourcePps);

  sipedge::xdp::RateLimitChange off;
  off.pps = 0;
  ASSERT_TRUE(sipedge::xdp::UpdateRateLimits(maps_, off));
  cfg = sipedge::xdp::ReadConfig(maps_);
  EXPECT_EQ(cfg->dgram_cost_ns, 0u);
  EXPECT_EQ(cfg->syn_pps, 50u);
}

}  // namespace
}  // namespace sipedge::testing
