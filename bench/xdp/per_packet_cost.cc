// Per-packet cost of sipedge_xdp through BPF_PROG_TEST_RUN, beside an empty XDP_PASS program
// measured in the same run; prints ns/packet and the difference, for three configurations:
//  1. defaults (no policy, no limits)                         target: <= 25 ns above empty
//  2. 1000 policy prefixes + rate limits, a known source      target: <= 40 ns above empty
//  3. the same, a new source per packet (LRU miss and insert) printed, no target
// Usage: sipedge_xdp_cost [REPEAT]
#include <bpf/bpf.h>
#include <bpf/libbpf.h>

#include <algorithm>
#include <cstdio>
#include <cstdlib>
#include <string>
#include <vector>

#include "packet_builder.h"
#include "xdp/maps.h"
#include "xdp/skeleton.h"
#include "xdp_pass_baseline.skel.h"

namespace {

using sipedge::testing::Packet;

constexpr const char* kInvite =
    "INVITE sip:bob@example.com SIP/2.0\r\n"
    "Via: SIP/2.0/UDP 192.0.2.1:5062;branch=z9hG4bK776asdhds\r\n"
    "Max-Forwards: 70\r\nTo: <sip:bob@example.com>\r\n"
    "From: <sip:alice@example.org>;tag=1928301774\r\nCall-ID: a84b4c76e66710\r\n"
    "CSeq: 314159 INVITE\r\nContact: <sip:alice@192.0.2.1:5062>\r\nContent-Length: 0\r\n\r\n";
constexpr int kRounds = 7;
constexpr double kDefaultTarget = 25.0;
constexpr double kKnownSourceTarget = 40.0;

// Mean in-kernel ns per run over `repeat` runs of one frame (the kernel's own timing).
double MeanNs(int prog_fd, const std::vector<uint8_t>& frame, uint32_t repeat) {
  LIBBPF_OPTS(bpf_test_run_opts, opts);
  opts.data_in = frame.data();
  opts.data_size_in = static_cast<uint32_t>(frame.size());
  opts.repeat = repeat;
  if (bpf_prog_test_run_opts(prog_fd, &opts) != 0) {
    std::perror("BPF_PROG_TEST_RUN");
    std::exit(1);
  }
  return static_cast<double>(opts.duration);
}

// Best of rounds, the two programs interleaved so that both see the same machine load.
std::pair<double, double> BestPair(int sip_fd, int empty_fd, const std::vector<uint8_t>& frame,
                                   uint32_t repeat) {
  double s = 1e18, e = 1e18;
  for (int r = 0; r < kRounds; ++r) {
    s = std::min(s, MeanNs(sip_fd, frame, repeat));
    e = std::min(e, MeanNs(empty_fd, frame, repeat));
  }
  return {s, e};
}

Packet InviteV4(const std::string& src) {
  Packet p;
  p.Eth().IPv4(src, "198.51.100.1").Udp(5062, 5060).Payload(kInvite);
  return p;
}

std::string NthSource(uint32_t i) {  // 100.64.0.0/10: never in the benchmark's policy
  return "100." + std::to_string(64 + (i >> 16) % 64) + "." + std::to_string((i >> 8) & 255) + "." +
         std::to_string(i & 255);
}

struct Row {
  std::string name;
  double sip, empty;
};

void Print(const Row& r) {
  std::printf("%-64s %10.1f %10.1f %+11.1f\n", r.name.c_str(), r.sip, r.empty, r.sip - r.empty);
}

}  // namespace

int main(int argc, char** argv) {
  uint32_t repeat = argc > 1 ? static_cast<uint32_t>(std::strtoul(argv[1], nullptr, 10)) : 1000000;
  sipedge::xdp::QuietLibraries();
  auto skel = sipedge::xdp::LoadPrivateInstance();
  if (!skel) {
    std::fprintf(stderr, "sipedge_xdp_cost: %s\n", skel.error().c_str());
    return 1;
  }
  xdp_pass_baseline_bpf* empty = xdp_pass_baseline_bpf__open_and_load();
  if (!empty) {
    std::fprintf(stderr, "sipedge_xdp_cost: cannot load the empty program\n");
    return 1;
  }
  int sip_fd = bpf_program__fd((*skel)->progs.sipedge_xdp);
  int empty_fd = bpf_program__fd(empty->progs.xdp_pass_baseline);

  std::vector<std::pair<std::string, std::vector<uint8_t>>> frames;
  frames.emplace_back("SIP INVITE, UDP/IPv4", InviteV4("192.0.2.1").Build());
  {
    Packet p;
    p.Eth().Vlan(100).IPv6("2001:db8::1", "2001:db8::2").Udp(5062, 5060).Payload(kInvite);
    frames.emplace_back("SIP INVITE, UDP/IPv6 behind a VLAN tag", p.Build());
  }
  {
    Packet p;
    p.Eth().IPv4("192.0.2.1", "198.51.100.1").Tcp(40000, 5060, 0x02);
    frames.emplace_back("TCP SYN to 5060, IPv4", p.Build());
  }
  {
    Packet p;
    p.Eth().IPv4("192.0.2.1", "198.51.100.1").Tcp(40000, 443).Payload(std::string(100, 'x'));
    frames.emplace_back("non-SIP TCP segment (port 443)", p.Build());
  }

  std::printf("per-packet cost via BPF_PROG_TEST_RUN, repeat %u, best of %d rounds\n", repeat,
              kRounds);
  std::printf("%-64s %10s %10s %11s\n", "frame", "sipedge ns", "empty ns", "difference");
  double worst_default = 0, worst_known = 0;
  std::printf("-- 1. default config (no policy, no limits) --\n");
  for (const auto& [name, frame] : frames) {
    auto [s, e] = BestPair(sip_fd, empty_fd, frame, repeat);
    Print({name, s, e});
    worst_default = std::max(worst_default, s - e);
  }

  // Rate limits on, high enough never to refuse, so every packet takes the bucket's charge
  // path; first alone, then with 1000 IPv4 and 1000 IPv6 policy prefixes (the source
  // unlisted: a full LPM miss).
  auto maps = sipedge::xdp::MapsOf(**skel);
  if (auto s = sipedge::xdp::SetRateLimit(maps, 100000000u, 1000000000u, 100000000u, 1000000000u);
      !s) {
    std::fprintf(stderr, "sipedge_xdp_cost: %s\n", s.error().c_str());
    return 1;
  }
  std::printf("-- 2a. rate limits on, no policy, known source (for the breakdown) --\n");
  for (const auto& [name, frame] : frames) {
    MeanNs(sip_fd, frame, 1);  // creates the source's bucket
    auto [s, e] = BestPair(sip_fd, empty_fd, frame, repeat);
    Print({name, s, e});
  }
  for (int i = 0; i < 1000; ++i) {
    std::string prefix = "10." + std::to_string(i / 250) + "." + std::to_string(i % 250) + ".0/24";
    sipedge::xdp::PolicyAdd(maps, *sipedge::xdp::ParsePrefix(prefix), SIPEDGE_POLICY_DENY);
    std::string prefix6 = "2001:db8:" + std::to_string(1000 + i) + "::/48";
    sipedge::xdp::PolicyAdd(maps, *sipedge::xdp::ParsePrefix(prefix6), SIPEDGE_POLICY_DENY);
  }
  std::printf("-- 2. 1000 IPv4 + 1000 IPv6 policy prefixes, rate limits on, known source --\n");
  for (const auto& [name, frame] : frames) {
    auto [s, e] = BestPair(sip_fd, empty_fd, frame, repeat);
    Print({name, s, e});
    worst_known = std::max(worst_known, s - e);
  }

  // A new source every packet: one run per frame (repeat 1), so the kernel's timing includes
  // its timer overhead; the empty program run the same way cancels it.
  std::printf("-- 3. the same, a new source every packet (LRU miss and insert), IPv4 --\n");
  sipedge::xdp::SetNewSourceBudget(maps, 0, 0);  // unbounded: every packet inserts
  constexpr uint32_t kNew = 20000;
  std::vector<std::vector<uint8_t>> fresh;
  fresh.reserve(kNew);
  for (uint32_t i = 0; i < kNew; ++i) fresh.push_back(InviteV4(NthSource(i)).Build());
  double s_sum = 0, e_sum = 0;
  for (const auto& f : fresh) {
    s_sum += MeanNs(sip_fd, f, 1);
    e_sum += MeanNs(empty_fd, f, 1);
  }
  Row fresh_row{"SIP INVITE, UDP/IPv4, new source (mean of 20000 single runs)", s_sum / kNew,
                e_sum / kNew};
  Print(fresh_row);
  // The same single-run method for a known source, to compare like with like.
  double k_sum = 0, ke_sum = 0;
  for (const auto& f : fresh) {
    k_sum += MeanNs(sip_fd, f, 1);
    ke_sum += MeanNs(empty_fd, f, 1);
  }
  Print({"SIP INVITE, UDP/IPv4, the same sources again, now known (single runs)", k_sum / kNew,
         ke_sum / kNew});
  sipedge::xdp::SetNewSourceBudget(maps, sipedge::xdp::kNewSourcePps,
                                   sipedge::xdp::kNewSourceBurst);

  std::printf("target default config <= %.0f ns above the empty program: %s (worst %+.1f ns)\n",
              kDefaultTarget, worst_default <= kDefaultTarget ? "met" : "NOT met", worst_default);
  std::printf(
      "target policy + limits, known source <= %.0f ns above the empty program: %s (worst "
      "%+.1f ns)\n",
      kKnownSourceTarget, worst_known <= kKnownSourceTarget ? "met" : "NOT met", worst_known);
  std::printf("new source (LRU miss + insert): %+.1f ns above the empty program\n",
              fresh_row.sip - fresh_row.empty);
  xdp_pass_baseline_bpf__destroy(empty);
  return 0;
}
