/* sipedge_xdp: pre-sorts SIP by transport at the driver hook, enforces source/TLS policy and
 * per-source rate limits, and counts every frame once (a class or a drop reason).
 *
 * Order of decisions: parse (eth -> vlan -> IP -> extension headers -> L4) -> port class ->
 * source policy: deny -> TLS-only (plaintext dropped) -> UDP first-line sniff (malformed
 * dropped, keep-alives classed) -> rate limit (unless the source is flagged exempt) -> steer
 * (XDP_PASS or a CPUMAP redirect). Anything on a port that is not SIP is `other` and leaves
 * right after the port lookup.
 *
 * When a policy or a limit applies, the source's slot in a per-CPU cache (srccache.bpf.h)
 * spares a known source the policy tries (cached "unlisted" verdicts) and, through leased
 * tokens already charged to its shared bucket, the clock and the bucket lookup.
 *
 * Policy needs only the L3 source, so it also holds when the ports cannot be read: a frame
 * whose extension-header chain is longer than the walk, or a first fragment too short for
 * its L4 header, is dropped - as `denied` or `tls_required` when its source's policy says so,
 * else as `unreadable` (no real sender makes such frames: RFC 7112, RFC 1858; Linux itself
 * drops IPv6 first fragments without the upper-layer header). A frame cut short (its IP
 * length beyond the frame) is dropped the same way when the source is denied or TLS-only,
 * and otherwise passed as `truncated`: the kernel discards it. Non-first fragments carry no
 * ports and pass as `fragment`: without the first fragment, which was judged, they never
 * reassemble.
 *
 * The section is xdp.frags: the program accepts multi-buffer frames, so it attaches natively
 * to jumbo-MTU links; headers or payload beyond the first buffer are read with
 * bpf_xdp_load_bytes. */
#include <linux/bpf.h>
#include <bpf/bpf_helpers.h>
#include <xdp/xdp_helpers.h>

#include "sipedge/bpf_abi.h"
#include "maps.bpf.h"
#include "parse.bpf.h"
#include "policy.bpf.h"
#include "sniff.bpf.h"
#include "srccache.bpf.h"

/* libxdp dispatcher metadata: run early, and let the next program see what we pass. */
struct {
  __uint(priority, 20);
  __uint(XDP_PASS, 1);
} XDP_RUN_CONFIG(sipedge_xdp);

#define SIPEDGE_TCP_SYN 0x02
#define SIPEDGE_TCP_ACK 0x10

static __always_inline int sipedge_count_class(struct sipedge_stats* st, __u32 cls, __u64 len) {
  /* The class counters are laid out as an array starting at `sip_udp` (see bpf_abi.h). */
  struct sipedge_counter* c = &st->sip_udp;
  if (cls >= SIPEDGE_CLASS_MAX) cls = SIPEDGE_CLASS_OTHER;
  c[cls].packets++;
  c[cls].bytes += len;
  return XDP_PASS;
}

static __always_inline int sipedge_drop(__u64* reason) {
  (*reason)++;
  return XDP_DROP;
}

/* Maps the port-table entry for the packet's protocol to a class, or SIPEDGE_CLASS_OTHER. */
static __always_inline __u32 sipedge_port_class(const struct sipedge_meta* m) {
  __u32 port = m->dport;
  struct sipedge_port_classes* pc = bpf_map_lookup_elem(&sipedge_ports, &port);
  if (!pc) return SIPEDGE_CLASS_OTHER;
  __u8 v = m->l4proto == IPPROTO_UDP ? pc->udp : m->l4proto == IPPROTO_TCP ? pc->tcp : pc->sctp;
  return v ? (__u32)v - 1 : SIPEDGE_CLASS_OTHER;
}

/* The bucket a packet of class `cls` draws from: 1 + enum sipedge_bucket_kind, or 0. */
static __always_inline __u32 sipedge_bucket_of(const struct sipedge_meta* m) {
  if (m->l4proto == IPPROTO_TCP)
    return (m->tcp_flags & (SIPEDGE_TCP_SYN | SIPEDGE_TCP_ACK)) == SIPEDGE_TCP_SYN
               ? 1 + SIPEDGE_BUCKET_SYN
               : 0;
  if (m->l4proto == IPPROTO_SCTP) return m->sctp_bucket;
  return 1 + SIPEDGE_BUCKET_DGRAM;
}

/* Charges the packet to the source's bucket of `kind`; returns 1 if it may pass. A token of
 * this CPU's lease (see srccache.bpf.h) costs no clock and no shared write; otherwise the
 * shared bucket is charged for a new lease, and a known source that passes takes the slot. */
static __always_inline int sipedge_limit(const struct sipedge_meta* m, const __u64 src[2],
                                         struct sipedge_srcslot* slot, int held, __u32 kind,
                                         __u32 pol_word, const struct sipedge_config* cfg,
                                         struct sipedge_stats* st) {
  __u64 cost = kind == SIPEDGE_BUCKET_SYN ? cfg->syn_cost_ns : cfg->dgram_cost_ns;
  if (!cost) return 1;
  struct sipedge_lease* l = slot ? &slot->lease[kind & 1] : 0;
  if (held && sipedge_lease_take(l)) return 1;
  __u64 cap = kind == SIPEDGE_BUCKET_SYN ? cfg->syn_cap_ns : cfg->dgram_cap_ns;
  __u32 burst = kind == SIPEDGE_BUCKET_SYN ? cfg->syn_burst : cfg->dgram_burst;
  __u64 jiffies = bpf_jiffies64();
  __u32 want = held ? sipedge_lease_want(l, burst, jiffies) : 1;
  int known = 0;
  __u32 granted = sipedge_bucket_take(m, kind, cost, cap, want, cfg, st, &known);
  if (!granted) return 0;
  if (slot && known) {
    if (!held) {
      sipedge_srcslot_claim(slot, src, m->family);
      slot->pol_word = pol_word;
    }
    sipedge_lease_start(&slot->lease[kind & 1], granted, jiffies);
  }
  return 1;
}

SEC("xdp.frags")
int sipedge_xdp(struct xdp_md* ctx) {
  __u32 zero = 0;
  struct sipedge_stats* st = bpf_map_lookup_elem(&sipedge_stats, &zero);
  if (!st) return XDP_PASS;

  struct sipedge_meta m = {};
  int pr = sipedge_parse(ctx, &m);
  __u64 len = m.frame_len;
  if (pr == SIPEDGE_FRAGMENT) return sipedge_count_class(st, SIPEDGE_CLASS_FRAGMENT, len);
  if (pr == SIPEDGE_NOT_L4) return sipedge_count_class(st, SIPEDGE_CLASS_OTHER, len);
  if (pr == SIPEDGE_TRUNCATED && !m.family) {
    st->truncated++;
    return XDP_PASS;
  }

  __u32 cls = SIPEDGE_CLASS_OTHER;
  if (pr == SIPEDGE_PARSED) {
    cls = sipedge_port_class(&m);
    if (cls == SIPEDGE_CLASS_OTHER) return sipedge_count_class(st, SIPEDGE_CLASS_OTHER, len);
  }

  struct sipedge_config* cfg = bpf_map_lookup_elem(&sipedge_config, &zero);
  if (!cfg) return XDP_PASS;
  /* The source's slot in this CPU's cache, looked at only when a policy or a limit applies. */
  __u32 fam = *(volatile __u32*)&cfg->policy_families;
  __u32 fam_bit = m.family == 4 ? SIPEDGE_POLICY_HAS_V4 : SIPEDGE_POLICY_HAS_V6;
  int limited = (cfg->dgram_cost_ns | cfg->syn_cost_ns) != 0;
  __u64 src[2];
  struct sipedge_srcslot* slot = 0;
  int held = 0;
  if ((fam & fam_bit) || limited) {
    sipedge_src_words(&m, src);
    slot = sipedge_srcslot_of(src);
    held = slot && sipedge_srcslot_holds(slot, src, m.family);
  }
  /* Only "unlisted" is cached, under the policy word it was found with. */
  struct sipedge_policy_value pol = {};
  __u32 pol_word = 0;
  if (!held || slot->pol_word != fam) {
    pol = sipedge_source_policy(&m, fam);
    if (pol.action == SIPEDGE_POLICY_NONE) {
      pol_word = fam;
      if (slot && (fam & fam_bit)) {
        if (held)
          slot->pol_word = fam;
        else if (!sipedge_srcslot_busy(slot, bpf_jiffies64())) {
          sipedge_srcslot_claim(slot, src, m.family);
          slot->pol_word = fam;
          held = 1;
        }
      }
    }
  } else {
    pol_word = fam;
  }
  if (pol.action == SIPEDGE_POLICY_DENY) return sipedge_drop(&st->denied);
  int tls_only = sipedge_tls_only(pol.action, cfg);
  if (pr != SIPEDGE_PARSED) {
    /* Ports unknown: the frame cannot be shown to be TLS, nor to be anything but SIP. */
    if (tls_only) return sipedge_drop(&st->tls_required);
    if (pr == SIPEDGE_UNREADABLE) return sipedge_drop(&st->unreadable);
    st->truncated++;
    return XDP_PASS;
  }
  if (tls_only && cls != SIPEDGE_CLASS_SIP_TLS && cls != SIPEDGE_CLASS_SIP_WSS)
    return sipedge_drop(&st->tls_required);

  if (cls == SIPEDGE_CLASS_SIP_UDP) {
    int sn = sipedge_sniff_udp(ctx, &m);
    if (sn == SIPEDGE_SNIFF_MALFORMED) return sipedge_drop(&st->malformed);
    if (sn == SIPEDGE_SNIFF_STUN) st->keepalive_stun++;
    if (sn != SIPEDGE_SNIFF_SIP) cls = SIPEDGE_CLASS_KEEPALIVE;
  }

  if (!(pol.flags & SIPEDGE_POLICY_F_EXEMPT) && limited) {
    __u32 bucket = sipedge_bucket_of(&m);
    if (bucket && !sipedge_limit(&m, src, slot, held, bucket - 1, pol_word, cfg, st))
      return sipedge_drop(&st->rate_limited);
  }

  sipedge_count_class(st, cls, len);
  struct sipedge_steer* steer = bpf_map_lookup_elem(&sipedge_steer, &cls);
  if (steer && steer->action == SIPEDGE_STEER_CPU)
    return bpf_redirect_map(&sipedge_cpumap, steer->cpu, XDP_PASS);
  return XDP_PASS;
}

char LICENSE[] SEC("license") = "GPL";
