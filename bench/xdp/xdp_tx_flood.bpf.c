/* Flood generator: run with BPF_F_TEST_XDP_LIVE_FRAMES on the peer veth, every frame is
 * transmitted (XDP_TX) to the device under test. */
#include <linux/bpf.h>
#include <bpf/bpf_helpers.h>

SEC("xdp")
int xdp_tx_flood(struct xdp_md* ctx) { return XDP_TX; }

char LICENSE[] SEC("license") = "GPL";
