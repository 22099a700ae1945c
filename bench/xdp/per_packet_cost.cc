// Per-packet cost of sipedge_xdp through BPF_PROG_TEST_RUN with a large repeat, beside an
// empty XDP_PASS program measured in the same run; prints ns/packet and the difference.
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
constexpr int kRounds = 5;

// Best-of-rounds average ns per run (the kernel reports the mean duration over `repeat`).
double NsPerPacket(int prog_fd, const std::vector<uint8_t>& frame, uint32_t repeat) {
  double best = 1e18;
  for (int r = 0; r < kRounds; ++r) {
    LIBBPF_OPTS(bpf_test_run_opts, opts);
    opts.data_in = frame.data();
    opts.data_size_in = static_cast<uint32_t>(frame.size());
    opts.repeat = repeat;
    if (bpf_prog_test_run_opts(prog_fd, &opts) != 0) {
      std::perror("BPF_PROG_TEST_RUN");
      std::exit(1);
    }
    best = std::min(best, static_cast<double>(opts.duration));
  }
  return best;
}

struct Case {
  std::string name;
  std::vector<uint8_t> frame;
  bool sip;
};

}  // namespace

int main(int argc, char** argv) {
  uint32_t repeat = argc > 1 ? static_cast<uint32_t>(std::strtoul(argv[1], nullptr, 10)) : 2000000;
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

  std::vector<Case> cases;
  {
    Packet p;
    p.Eth().IPv4("192.0.2.1", "198.51.100.1").Udp(5062, 5060).Payload(kInvite);
    cases.push_back({"SIP INVITE, UDP/IPv4", p.Build(), true});
  }
  {
    Packet p;
    p.Eth().Vlan(100).IPv6("2001:db8::1", "2001:db8::2").Udp(5062, 5060).Payload(kInvite);
    cases.push_back({"SIP INVITE, UDP/IPv6 behind a VLAN tag", p.Build(), true});
  }
  {
    Packet p;
    p.Eth().IPv4("192.0.2.1", "198.51.100.1").Tcp(40000, 443).Payload(std::string(100, 'x'));
    cases.push_back({"non-SIP TCP segment (port 443)", p.Build(), false});
  }

  std::printf("per-packet cost via BPF_PROG_TEST_RUN, repeat %u, best of %d rounds\n", repeat,
              kRounds);
  std::printf("%-62s %12s %12s %12s\n", "frame", "sipedge ns", "empty ns", "difference");
  double worst_sip = 0;
  auto run_cases = [&](const char* suffix) {
    for (const auto& c : cases) {
      double s = NsPerPacket(sip_fd, c.frame, repeat);
      double e = NsPerPacket(empty_fd, c.frame, repeat);
      if (c.sip) worst_sip = std::max(worst_sip, s - e);
      std::printf("%-62s %12.1f %12.1f %+12.1f\n", (c.name + suffix).c_str(), s, e, s - e);
    }
  };
  run_cases("");

  // The same with a realistic configuration: first 1000 policy prefixes (the source is
  // unlisted: an LPM miss), then also rate limits on (the token-bucket path).
  auto maps = sipedge::xdp::MapsOf(**skel);
  for (int i = 0; i < 1000; ++i) {
    std::string prefix = "10." + std::to_string(i / 250) + "." + std::to_string(i % 250) + ".0/24";
    sipedge::xdp::PolicyAdd(maps, *sipedge::xdp::ParsePrefix(prefix), SIPEDGE_POLICY_DENY);
  }
  double default_worst = worst_sip;
  run_cases(" +1k prefixes");
  sipedge::xdp::SetRateLimit(maps, 1000000000u, 1000000000u, 0, 0);
  run_cases(" +1k prefixes +ratelimit");

  std::printf(
      "target: at most 40 ns per SIP packet above the empty program (default config): %s "
      "(worst %+.1f ns); with policy and rate limits the worst is %+.1f ns\n",
      default_worst <= 40.0 ? "met" : "NOT met", default_worst, worst_sip);
  xdp_pass_baseline_bpf__destroy(empty);
  return 0;
}
