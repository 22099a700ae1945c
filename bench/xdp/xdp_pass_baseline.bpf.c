/* The empty program the benchmark subtracts: what BPF_PROG_TEST_RUN costs by itself. */
#include <linux/bpf.h>
#include <bpf/bpf_helpers.h>

SEC("xdp")
int xdp_pass_baseline(struct xdp_md* ctx) { return XDP_PASS; }

char LICENSE[] SEC("license") = "GPL";
