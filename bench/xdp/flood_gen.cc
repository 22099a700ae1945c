// Flood generator for the veth benchmark: transmits COUNT copies of one malformed UDP frame
// (to port 5060) out of IFNAME with BPF_F_TEST_XDP_LIVE_FRAMES + XDP_TX, and prints the
// seconds it took. Run it inside the peer namespace the benchmark created.
// Usage: sipedge_xdp_flood IFNAME DST_MAC SRC_IP DST_IP COUNT
#include <bpf/bpf.h>
#include <bpf/libbpf.h>
#include <linux/bpf.h>
#include <net/if.h>

#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <string>

#include "packet_builder.h"
#include "xdp_tx_flood.skel.h"

int main(int argc, char** argv) {
  if (argc != 6) {
    std::fprintf(stderr, "usage: sipedge_xdp_flood IFNAME DST_MAC SRC_IP DST_IP COUNT\n");
    return 2;
  }
  unsigned ifindex = if_nametoindex(argv[1]);
  if (!ifindex) {
    std::fprintf(stderr, "sipedge_xdp_flood: no such interface: %s\n", argv[1]);
    return 1;
  }
  unsigned mac[6];
  if (std::sscanf(argv[2], "%x:%x:%x:%x:%x:%x", &mac[0], &mac[1], &mac[2], &mac[3], &mac[4],
                  &mac[5]) != 6) {
    std::fprintf(stderr, "sipedge_xdp_flood: bad MAC: %s\n", argv[2]);
    return 1;
  }
  uint64_t count = std::strtoull(argv[5], nullptr, 10);

  sipedge::testing::Packet p;
  p.Eth()
      .IPv4(argv[3], argv[4])
      .Udp(40000, 5060)
      .Payload("\x16\x03\x01 garbage, not a SIP message");
  auto frame = p.Build();
  for (int i = 0; i < 6; ++i) frame[i] = static_cast<uint8_t>(mac[i]);

  libbpf_set_print(nullptr);
  xdp_tx_flood_bpf* skel = xdp_tx_flood_bpf__open_and_load();
  if (!skel) {
    std::fprintf(stderr, "sipedge_xdp_flood: cannot load the generator program\n");
    return 1;
  }
  xdp_md ctx{};
  ctx.data_end = static_cast<uint32_t>(frame.size());
  ctx.ingress_ifindex = ifindex;
  auto start = std::chrono::steady_clock::now();
  uint64_t sent = 0;
  while (sent < count) {
    uint32_t batch = static_cast<uint32_t>(std::min<uint64_t>(count - sent, 1u << 20));
    LIBBPF_OPTS(bpf_test_run_opts, opts);
    opts.data_in = frame.data();
    opts.data_size_in = static_cast<uint32_t>(frame.size());
    opts.ctx_in = &ctx;
    opts.ctx_size_in = sizeof(ctx);
    opts.repeat = batch;
    opts.flags = BPF_F_TEST_XDP_LIVE_FRAMES;
    if (bpf_prog_test_run_opts(bpf_program__fd(skel->progs.xdp_tx_flood), &opts) != 0) {
      std::perror("sipedge_xdp_flood: BPF_PROG_TEST_RUN (live frames)");
      return 1;
    }
    sent += batch;
  }
  double secs = std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
  std::printf("%llu %.6f\n", static_cast<unsigned long long>(sent), secs);
  xdp_tx_flood_bpf__destroy(skel);
  return 0;
}
