/* sipedge_xdp: pre-sorts SIP by transport at the driver hook, enforces source/TLS policy and
 * per-source rate limits, and counts every frame once (a class or a drop reason).
 *
 * Order of decisions for a frame on a SIP port: source deny -> TLS-only (plaintext dropped)
 * -> UDP first-line sniff (malformed dropped, keep-alives classed) -> token bucket (unless
 * the source is listed `allow`) -> steer (XDP_PASS or a CPUMAP redirect). Anything not on a
 * SIP port is `other` and leaves right after the port lookup. */
#include <linux/bpf.h>
#include <linux/tcp.h>
#include <linux/udp.h>
#include <bpf/bpf_helpers.h>
#include <xdp/xdp_helpers.h>

#include "sipedge/bpf_abi.h"
#include "maps.bpf.h"
#include "parse.bpf.h"
#include "policy.bpf.h"
#include "sniff.bpf.h"

/* libxdp dispatcher metadata: run early, and let the next program see what we pass. */
struct {
  __uint(priority, 20);
  __uint(XDP_PASS, 1);
} XDP_RUN_CONFIG(sipedge_xdp);

static __always_inline int sipedge_count_class(struct sipedge_stats* st, __u32 cls, __u64 len) {
  /* The class counters are laid out as an array starting at `sip_udp` (see bpf_abi.h). */
  struct sipedge_counter* c = &st->sip_udp;
  if (cls >= SIPEDGE_CLASS_MAX) cls = SIPEDGE_CLASS_OTHER;
  c[cls].packets++;
  c[cls].bytes += len;
  return 0;
}

static __always_inline int sipedge_drop(__u64* reason) {
  (*reason)++;
  return XDP_DROP;
}

/* Maps the port-table entry for `l4proto` to a class, or SIPEDGE_CLASS_OTHER. */
static __always_inline __u32 sipedge_port_class(struct sipedge_pkt* pkt) {
  __u32 port = pkt->dport;
  struct sipedge_port_classes* pc = bpf_map_lookup_elem(&sipedge_ports, &port);
  if (!pc) return SIPEDGE_CLASS_OTHER;
  __u8 v = pkt->l4proto == IPPROTO_UDP ? pc->udp : pkt->l4proto == IPPROTO_TCP ? pc->tcp : pc->sctp;
  return v ? (__u32)v - 1 : SIPEDGE_CLASS_OTHER;
}

SEC("xdp")
int sipedge_xdp(struct xdp_md* ctx) {
  void* data = (void*)(long)ctx->data;
  void* end = (void*)(long)ctx->data_end;
  __u64 len = end - data;
  __u32 zero = 0;

  struct sipedge_stats* st = bpf_map_lookup_elem(&sipedge_stats, &zero);
  if (!st) return XDP_PASS;

  struct sipedge_pkt pkt = {};
  enum sipedge_parse_result pr = sipedge_parse(data, end, &pkt);
  if (pr == SIPEDGE_TRUNCATED) {
    st->truncated++;
    return XDP_PASS;
  }
  if (pr == SIPEDGE_FRAGMENT) {
    sipedge_count_class(st, SIPEDGE_CLASS_FRAGMENT, len);
    return XDP_PASS;
  }
  __u32 cls = pr == SIPEDGE_PARSED ? sipedge_port_class(&pkt) : SIPEDGE_CLASS_OTHER;
  if (cls == SIPEDGE_CLASS_OTHER) {
    sipedge_count_class(st, SIPEDGE_CLASS_OTHER, len);
    return XDP_PASS;
  }

  struct sipedge_config* cfg = bpf_map_lookup_elem(&sipedge_config, &zero);
  if (!cfg) return XDP_PASS;

  __u32 policy = sipedge_source_policy(&pkt);
  if (policy == SIPEDGE_POLICY_DENY) return sipedge_drop(&st->denied);
  int plaintext = cls != SIPEDGE_CLASS_SIP_TLS && cls != SIPEDGE_CLASS_SIP_WSS;
  if (plaintext &&
      (policy == SIPEDGE_POLICY_TLS_ONLY ||
       (policy == SIPEDGE_POLICY_NONE && cfg->default_policy == SIPEDGE_POLICY_TLS_ONLY)))
    return sipedge_drop(&st->tls_required);

  if (cls == SIPEDGE_CLASS_SIP_UDP) {
    enum sipedge_sniff sn = sipedge_sniff_udp(pkt.l4, end);
    if (sn == SIPEDGE_SNIFF_MALFORMED) return sipedge_drop(&st->malformed);
    if (sn == SIPEDGE_SNIFF_KEEPALIVE) cls = SIPEDGE_CLASS_KEEPALIVE;
  }

  if (policy != SIPEDGE_POLICY_ALLOW) {
    if (pkt.l4proto == IPPROTO_TCP) {
      struct tcphdr* tcp = pkt.l4;
      if (tcp->syn && !tcp->ack &&
          !sipedge_bucket_take(&pkt, SIPEDGE_BUCKET_SYN, cfg->syn_cost_ns, cfg->syn_cap_ns))
        return sipedge_drop(&st->rate_limited);
    } else if (!sipedge_bucket_take(&pkt, SIPEDGE_BUCKET_DGRAM, cfg->dgram_cost_ns,
                                    cfg->dgram_cap_ns)) {
      return sipedge_drop(&st->rate_limited);
    }
  }

  sipedge_count_class(st, cls, len);
  struct sipedge_steer* steer = bpf_map_lookup_elem(&sipedge_steer, &cls);
  if (steer && steer->action == SIPEDGE_STEER_CPU)
    return bpf_redirect_map(&sipedge_cpumap, steer->cpu, XDP_PASS);
  return XDP_PASS;
}

char LICENSE[] SEC("license") = "GPL";
