/* Header parsing for sipedge_xdp: Ethernet, up to two VLAN tags, IPv4 (options, fragments),
 * IPv6 (bounded extension-header walk), then the UDP/TCP/SCTP header. Every read is preceded
 * by an explicit data_end check so the verifier can prove it in bounds. */
#ifndef SIPEDGE_PARSE_BPF_H
#define SIPEDGE_PARSE_BPF_H

#include <linux/bpf.h>
#include <linux/if_ether.h>
#include <linux/in.h>
#include <linux/ip.h>
#include <linux/ipv6.h>
#include <linux/tcp.h>
#include <linux/udp.h>
#include <bpf/bpf_endian.h>
#include <bpf/bpf_helpers.h>

#ifndef ETH_P_8021AD
#define ETH_P_8021AD 0x88A8
#endif
#define SIPEDGE_MAX_VLAN 2
/* Enough for hop-by-hop + routing + destination options + fragment + one spare. */
#define SIPEDGE_MAX_IPV6_EXT 5

struct sipedge_vlan_hdr {
  __be16 tci;
  __be16 encap_proto;
};

struct sipedge_sctp_hdr {
  __be16 source;
  __be16 dest;
  __be32 vtag;
  __be32 checksum;
};

struct sipedge_ipv6_ext {
  __u8 nexthdr;
  __u8 hdrlen; /* in 8-octet units, not counting the first 8 */
};

struct sipedge_ipv6_frag {
  __u8 nexthdr;
  __u8 reserved;
  __be16 frag_off; /* offset in the upper 13 bits */
  __be32 id;
};

enum sipedge_parse_result {
  SIPEDGE_PARSED = 0, /* UDP/TCP/SCTP header present: ports valid */
  SIPEDGE_NOT_L4,     /* not IP, or IP carrying another protocol: class `other` */
  SIPEDGE_FRAGMENT,   /* non-first fragment: no ports */
  SIPEDGE_TRUNCATED,  /* the frame ends inside a header */
};

struct sipedge_pkt {
  void* l3;     /* IPv4 or IPv6 header (for the source address) */
  void* l4;     /* UDP/TCP/SCTP header */
  __u16 dport;  /* host order */
  __u8 l4proto; /* IPPROTO_UDP / IPPROTO_TCP / IPPROTO_SCTP */
  __u8 family;  /* 4 or 6 */
};

/* Walks the IPv6 extension headers after `*pos`; returns the upper-layer protocol, or a
 * negative parse result (truncated / fragment). Unknown or too many headers end the walk. */
static __always_inline int sipedge_walk_ipv6_ext(void** pos, void* end, __u8 nexthdr) {
#pragma unroll
  for (int i = 0; i < SIPEDGE_MAX_IPV6_EXT; i++) {
    if (nexthdr == IPPROTO_HOPOPTS || nexthdr == IPPROTO_ROUTING || nexthdr == IPPROTO_DSTOPTS) {
      struct sipedge_ipv6_ext* h = *pos;
      if ((void*)(h + 1) > end) return -SIPEDGE_TRUNCATED;
      nexthdr = h->nexthdr;
      *pos = *pos + ((__u32)h->hdrlen + 1) * 8;
    } else if (nexthdr == IPPROTO_FRAGMENT) {
      struct sipedge_ipv6_frag* f = *pos;
      if ((void*)(f + 1) > end) return -SIPEDGE_TRUNCATED;
      if (f->frag_off & bpf_htons(0xfff8)) return -SIPEDGE_FRAGMENT;
      nexthdr = f->nexthdr;
      *pos = f + 1;
    } else {
      return nexthdr;
    }
  }
  return nexthdr; /* still an extension header: treated as "not L4" by the caller */
}

/* Parses from the Ethernet header to the L4 header; fills `pkt` when SIPEDGE_PARSED. */
static __always_inline enum sipedge_parse_result sipedge_parse(void* data, void* end,
                                                               struct sipedge_pkt* pkt) {
  struct ethhdr* eth = data;
  if ((void*)(eth + 1) > end) return SIPEDGE_TRUNCATED;
  __be16 proto = eth->h_proto;
  void* pos = eth + 1;

#pragma unroll
  for (int i = 0; i < SIPEDGE_MAX_VLAN; i++) {
    if (proto != bpf_htons(ETH_P_8021Q) && proto != bpf_htons(ETH_P_8021AD)) break;
    struct sipedge_vlan_hdr* vh = pos;
    if ((void*)(vh + 1) > end) return SIPEDGE_TRUNCATED;
    proto = vh->encap_proto;
    pos = vh + 1;
  }

  int l4proto;
  if (proto == bpf_htons(ETH_P_IP)) {
    struct iphdr* iph = pos;
    if ((void*)(iph + 1) > end) return SIPEDGE_TRUNCATED;
    __u32 ihl = (__u32)iph->ihl * 4;
    if (ihl < sizeof(*iph)) return SIPEDGE_NOT_L4;
    if (pos + ihl > end) return SIPEDGE_TRUNCATED;
    if (iph->frag_off & bpf_htons(0x1fff)) return SIPEDGE_FRAGMENT;
    pkt->l3 = iph;
    pkt->family = 4;
    l4proto = iph->protocol;
    pos += ihl;
  } else if (proto == bpf_htons(ETH_P_IPV6)) {
    struct ipv6hdr* ip6 = pos;
    if ((void*)(ip6 + 1) > end) return SIPEDGE_TRUNCATED;
    pkt->l3 = ip6;
    pkt->family = 6;
    pos = ip6 + 1;
    l4proto = sipedge_walk_ipv6_ext(&pos, end, ip6->nexthdr);
    if (l4proto < 0) return -l4proto;
  } else {
    return SIPEDGE_NOT_L4;
  }

  if (l4proto == IPPROTO_UDP) {
    struct udphdr* udp = pos;
    if ((void*)(udp + 1) > end) return SIPEDGE_TRUNCATED;
    pkt->dport = bpf_ntohs(udp->dest);
  } else if (l4proto == IPPROTO_TCP) {
    struct tcphdr* tcp = pos;
    if ((void*)(tcp + 1) > end) return SIPEDGE_TRUNCATED;
    pkt->dport = bpf_ntohs(tcp->dest);
  } else if (l4proto == IPPROTO_SCTP) {
    struct sipedge_sctp_hdr* sctp = pos;
    if ((void*)(sctp + 1) > end) return SIPEDGE_TRUNCATED;
    pkt->dport = bpf_ntohs(sctp->dest);
  } else {
    return SIPEDGE_NOT_L4;
  }
  pkt->l4 = pos;
  pkt->l4proto = l4proto;
  return SIPEDGE_PARSED;
}

#endif
