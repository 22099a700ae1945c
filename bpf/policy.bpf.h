/* Source policy (LPM tries) and per-source token buckets for sipedge_xdp. */
#ifndef SIPEDGE_POLICY_BPF_H
#define SIPEDGE_POLICY_BPF_H

#include <linux/ip.h>
#include <linux/ipv6.h>
#include <bpf/bpf_helpers.h>

#include "maps.bpf.h"
#include "parse.bpf.h"

/* Returns the listed policy of the packet's source, or SIPEDGE_POLICY_NONE. */
static __always_inline __u32 sipedge_source_policy(struct sipedge_pkt* pkt) {
  struct sipedge_policy_value* v;
  if (pkt->family == 4) {
    struct iphdr* iph = pkt->l3;
    struct sipedge_lpm4_key k = {.prefixlen = 32};
    __builtin_memcpy(k.addr, &iph->saddr, 4);
    v = bpf_map_lookup_elem(&sipedge_policy4, &k);
  } else {
    struct ipv6hdr* ip6 = pkt->l3;
    struct sipedge_lpm6_key k = {.prefixlen = 128};
    __builtin_memcpy(k.addr, &ip6->saddr, 16);
    v = bpf_map_lookup_elem(&sipedge_policy6, &k);
  }
  return v ? v->action : SIPEDGE_POLICY_NONE;
}

/* Takes one packet's cost from the source's bucket of `kind`; returns 1 if the packet
 * may pass. Buckets are shared by all CPUs and updated without locks: concurrent updates
 * may lose a refill or a charge, which only blurs the limit by a packet or two. */
static __always_inline int sipedge_bucket_take(struct sipedge_pkt* pkt, __u8 kind, __u64 cost,
                                               __u64 cap) {
  if (!cost) return 1;
  struct sipedge_bucket_key k = {.family = pkt->family, .kind = kind};
  if (pkt->family == 4) {
    struct iphdr* iph = pkt->l3;
    __builtin_memcpy(k.addr, &iph->saddr, 4);
  } else {
    struct ipv6hdr* ip6 = pkt->l3;
    __builtin_memcpy(k.addr, &ip6->saddr, 8); /* the /64 */
  }
  __u64 now = bpf_ktime_get_coarse_ns();
  struct sipedge_bucket* b = bpf_map_lookup_elem(&sipedge_buckets, &k);
  if (!b) {
    struct sipedge_bucket fresh = {.credit_ns = cap > cost ? cap - cost : 0, .last_ns = now};
    bpf_map_update_elem(&sipedge_buckets, &k, &fresh, BPF_ANY);
    return 1;
  }
  __u64 credit = b->credit_ns;
  if (now > b->last_ns) credit += now - b->last_ns;
  if (credit > cap) credit = cap;
  b->last_ns = now;
  if (credit < cost) {
    b->credit_ns = credit;
    return 0;
  }
  b->credit_ns = credit - cost;
  return 1;
}

#endif
