/* Header parsing for sipedge_xdp: Ethernet, up to two VLAN tags, IPv4 (options, fragments),
 * IPv6 (a bounded walk over extension headers), then the UDP/TCP/SCTP header.
 *
 * sipedge_parse is a global (separately verified) function that hands back offsets and
 * scalars, never packet pointers: the verifier checks it once, and the caller's states do not
 * multiply with every path through the header walk. Headers in the linear part are read
 * directly; anything beyond it (a multi-buffer frame, or extension headers pushed past the
 * first buffer) through bpf_xdp_load_bytes, so a chain cannot hide the ports by its size. */
#ifndef SIPEDGE_PARSE_BPF_H
#define SIPEDGE_PARSE_BPF_H

#include <linux/bpf.h>
#include <linux/if_ether.h>
#include <linux/in.h>
#include <linux/ip.h>
#include <linux/ipv6.h>
#include <bpf/bpf_endian.h>
#include <bpf/bpf_helpers.h>

#ifndef ETH_P_8021AD
#define ETH_P_8021AD 0x88A8
#endif
#define SIPEDGE_MAX_VLAN 2
/* Extension headers walked before giving up (then: `unreadable`). RFC 8200 §4.1's order has
 * at most 7 (hop-by-hop, destination, routing, fragment, AH, ESP, destination) and a header
 * may appear twice at most (destination options), so 8 covers every conforming chain. The
 * walk is a loop in its own function: the verifier budget does not decide this number. */
#ifndef SIPEDGE_MAX_IPV6_EXT
#define SIPEDGE_MAX_IPV6_EXT 8
#endif
/* Largest offset the parser follows; IPv6 extension headers alone can reach 16 KiB. */
#define SIPEDGE_MAX_OFF 0xffff
/* Largest offset read directly from the linear part (the verifier tracks packet ranges only
 * for pointers below 64 KiB, offset included); beyond it bpf_xdp_load_bytes reads. */
#define SIPEDGE_DIRECT_OFF 0x3fff

enum sipedge_parse_result {
  SIPEDGE_PARSED = 0, /* L4 header present: ports valid */
  SIPEDGE_NOT_L4,     /* not IP, or IP carrying another protocol: class `other` */
  SIPEDGE_FRAGMENT,   /* non-first fragment: no ports */
  SIPEDGE_TRUNCATED,  /* the frame is shorter than its headers say */
  SIPEDGE_UNREADABLE, /* source known, ports not: chain too long or a tiny first fragment */
};

/* What the parser found; every field an offset or a value, never a pointer. */
struct sipedge_meta {
  __u32 frame_len;  /* whole frame, all buffers (see sipedge_parse) */
  __u32 l4_off;     /* offset of the L4 header */
  __u32 l4_end;     /* end of the IP payload (the IP length, never beyond the frame) */
  __u32 udp_len;    /* UDP length field */
  __u8 saddr[16];   /* IPv4 in the first 4 bytes */
  __u16 dport;      /* host order */
  __u8 family;      /* 4 or 6 once the IP header was read, else 0 */
  __u8 l4proto;     /* IPPROTO_UDP / IPPROTO_TCP / IPPROTO_SCTP */
  __u8 first_frag;  /* a first fragment: more of the datagram follows */
  __u8 tcp_flags;   /* byte 13 of the TCP header */
  __u8 sctp_bucket; /* SCTP: 0 no charge, 1 + enum sipedge_bucket_kind */
  __u8 pad;
};

struct sipedge_vlan_hdr {
  __be16 tci;
  __be16 encap_proto;
};

/* Copies `len` bytes (a constant) at `off` into `buf`: straight from the linear part when
 * they are there, else through bpf_xdp_load_bytes. Returns 0, or -1 past the frame's end. */
static __always_inline int sipedge_load(struct xdp_md* ctx, __u32 off, void* buf, __u32 len) {
  void* data = (void*)(long)ctx->data;
  void* end = (void*)(long)ctx->data_end;
  if (off > SIPEDGE_MAX_OFF) return -1;
  if (off <= SIPEDGE_DIRECT_OFF) {
    __u8* p = data + off;
    if ((void*)(p + len) <= end) {
      __builtin_memcpy(buf, p, len);
      return 0;
    }
  }
  return bpf_xdp_load_bytes(ctx, off, buf, len) ? -1 : 0;
}

/* The SCTP bucket of a packet: DATA/I-DATA draw on the datagram bucket, INIT on the SYN
 * bucket, control chunks alone (SACK, HEARTBEAT, ...) on none. Looks at 4 chunks at most. */
static __always_inline __u8 sipedge_sctp_bucket(struct xdp_md* ctx, __u32 off, __u32 end) {
#pragma unroll
  for (int i = 0; i < 4; i++) {
    __u8 ch[4];
    if (off + 4 > end || sipedge_load(ctx, off, ch, 4)) return 0;
    if (ch[0] == 0 || ch[0] == 64) return 1 + SIPEDGE_BUCKET_DGRAM;
    if (ch[0] == 1) return 1 + SIPEDGE_BUCKET_SYN;
    __u32 clen = ((__u32)ch[2] << 8 | ch[3]);
    if (clen < 4) return 0;
    off += (clen + 3) & ~3u;
  }
  return 0;
}

/* Parses the L4 header at m->l4_off (bounded by m->l4_end). */
static __always_inline int sipedge_parse_l4(struct xdp_md* ctx, struct sipedge_meta* m) {
  __u32 off = m->l4_off, avail = m->l4_end > off ? m->l4_end - off : 0;
  /* A short L4 header in a first fragment is a crafted frame (RFC 7112 §5, RFC 1858 §3);
   * in a whole datagram the kernel would discard it anyway. */
  int short_hdr = m->first_frag ? SIPEDGE_UNREADABLE : SIPEDGE_TRUNCATED;
  if (m->l4proto == IPPROTO_UDP) {
    __u16 h[4];
    if (avail < 8 || sipedge_load(ctx, off, h, 8)) return short_hdr;
    m->dport = bpf_ntohs(h[1]);
    m->udp_len = bpf_ntohs(h[2]);
  } else if (m->l4proto == IPPROTO_TCP) {
    __u8 h[20];
    if (avail < 20 || sipedge_load(ctx, off, h, 20)) return short_hdr;
    m->dport = (__u16)h[2] << 8 | h[3];
    m->tcp_flags = h[13];
  } else if (m->l4proto == IPPROTO_SCTP) {
    __u8 h[12];
    if (avail < 16 || sipedge_load(ctx, off, h, 12)) return short_hdr;
    m->dport = (__u16)h[2] << 8 | h[3];
    m->sctp_bucket = sipedge_sctp_bucket(ctx, off + 12, m->l4_end);
  } else {
    return SIPEDGE_NOT_L4;
  }
  return SIPEDGE_PARSED;
}

static __always_inline int sipedge_is_ipv6_ext(__u8 nh) {
  return nh == IPPROTO_HOPOPTS || nh == IPPROTO_ROUTING || nh == IPPROTO_DSTOPTS ||
         nh == IPPROTO_AH || nh == IPPROTO_FRAGMENT;
}

/* Where the IPv6 extension-header walk stands. */
struct sipedge_ext_walk {
  __u32 off;       /* offset of the header named by nh */
  __u32 end;       /* end of the IP payload */
  __u8 nh;         /* the next header's type */
  __u8 first_frag; /* a fragment header with offset 0 and M set was passed */
  __u8 pad[2];
};

/* Steps over one extension header. Returns 0 (stepped), 1 (w->nh is not an extension
 * header: the walk is done), or a parse result (fragment, truncated, unreadable). A global
 * function, verified once, so the walk's length costs the verifier a call per step, not a
 * copy of everything after the walk per possible chain. */
__noinline int sipedge_ipv6_ext_step(struct xdp_md* ctx, struct sipedge_ext_walk* w) {
  if (!w) return SIPEDGE_UNREADABLE;
  __u8 nh = w->nh;
  if (!sipedge_is_ipv6_ext(nh)) return 1;
  __u32 off = w->off;
  __u8 h[4];
  if (off > SIPEDGE_MAX_OFF || off + 8 > w->end || sipedge_load(ctx, off, h, 4))
    return SIPEDGE_TRUNCATED;
  if (nh == IPPROTO_FRAGMENT) {
    __u16 frag = (__u16)h[2] << 8 | h[3]; /* offset << 3 | M */
    if (frag & 0xfff8) return SIPEDGE_FRAGMENT;
    w->first_frag = frag & 1;
    off += 8;
  } else if (nh == IPPROTO_AH) {
    off += ((__u32)h[1] + 2) * 4;
  } else {
    off += ((__u32)h[1] + 1) * 8;
  }
  w->nh = h[0];
  w->off = off;
  return 0;
}

/* Walks the IPv6 extension headers from m->l4_off; leaves m->l4_off at the upper-layer
 * header and m->l4proto set, or returns why it could not. */
static __always_inline int sipedge_walk_ipv6_ext(struct xdp_md* ctx, struct sipedge_meta* m,
                                                 __u8 nh) {
  struct sipedge_ext_walk w = {.off = m->l4_off, .end = m->l4_end, .nh = nh};
  for (int i = 0; i < SIPEDGE_MAX_IPV6_EXT; i++) {
    int r = sipedge_ipv6_ext_step(ctx, &w);
    if (r == 1) break;
    if (r != 0) return r;
  }
  if (sipedge_is_ipv6_ext(w.nh)) return SIPEDGE_UNREADABLE;
  m->l4_off = w.off;
  m->l4proto = w.nh;
  m->first_frag = w.first_frag;
  return SIPEDGE_PARSED;
}

/* The whole frame's length, all buffers, into m->frame_len: a helper call (about 5 ns), so
 * made only when the linear part alone cannot settle it. Returns -1 if absurdly large. */
static __always_inline int sipedge_full_len(struct xdp_md* ctx, struct sipedge_meta* m) {
  __u64 len = bpf_xdp_get_buff_len(ctx);
  if (len > 0x7fffffff) return -1;
  m->frame_len = (__u32)len;
  return 0;
}

/* Parses from the Ethernet header to the L4 header into `m` (zeroed by the caller).
 * Returns enum sipedge_parse_result. Global, so verified once on its own.
 *
 * m->frame_len starts as the linear part's length, and becomes the whole frame's (all
 * buffers) whenever the IP packet reaches beyond the linear part, or the frame is not IP.
 * A frame whose IP packet ends inside the linear part has no further buffers except in a
 * driver that puts trailing non-IP bytes in a fragment; only its byte count could be short. */
__noinline int sipedge_parse(struct xdp_md* ctx, struct sipedge_meta* m) {
  if (!m) return SIPEDGE_NOT_L4;
  void* data = (void*)(long)ctx->data;
  void* end = (void*)(long)ctx->data_end;
  m->frame_len = (__u32)(end - data);

  struct ethhdr* eth = data;
  if ((void*)(eth + 1) > end) return SIPEDGE_TRUNCATED;
  __be16 proto = eth->h_proto;
  __u32 off = sizeof(*eth);
#pragma unroll
  for (int i = 0; i < SIPEDGE_MAX_VLAN; i++) {
    if (proto != bpf_htons(ETH_P_8021Q) && proto != bpf_htons(ETH_P_8021AD)) break;
    struct sipedge_vlan_hdr* vh = data + off;
    if ((void*)(vh + 1) > end) return SIPEDGE_TRUNCATED;
    proto = vh->encap_proto;
    off += sizeof(*vh);
  }

  if (proto == bpf_htons(ETH_P_IP)) {
    struct iphdr* iph = data + off;
    if ((void*)(iph + 1) > end) return SIPEDGE_TRUNCATED;
    __builtin_memcpy(m->saddr, &iph->saddr, 4);
    m->family = 4;
    __u32 ihl = (__u32)iph->ihl * 4, tot = bpf_ntohs(iph->tot_len);
    if (ihl < sizeof(*iph) || tot < ihl) {
      sipedge_full_len(ctx, m);
      return SIPEDGE_NOT_L4;
    }
    if (off + tot > m->frame_len && (sipedge_full_len(ctx, m) || off + tot > m->frame_len))
      return SIPEDGE_TRUNCATED;
    __u16 frag = bpf_ntohs(iph->frag_off);
    if (frag & 0x1fff) return SIPEDGE_FRAGMENT;
    m->first_frag = (frag & 0x2000) != 0;
    m->l4proto = iph->protocol;
    m->l4_off = off + ihl;
    m->l4_end = off + tot;
  } else if (proto == bpf_htons(ETH_P_IPV6)) {
    struct ipv6hdr* ip6 = data + off;
    if ((void*)(ip6 + 1) > end) return SIPEDGE_TRUNCATED;
    __builtin_memcpy(m->saddr, &ip6->saddr, 16);
    m->family = 6;
    __u32 plen = bpf_ntohs(ip6->payload_len);
    m->l4_off = off + sizeof(*ip6);
    m->l4_end = m->l4_off + plen;
    if (m->l4_end > m->frame_len && (sipedge_full_len(ctx, m) || m->l4_end > m->frame_len))
      return SIPEDGE_TRUNCATED;
    __u8 nh = ip6->nexthdr;
    if (sipedge_is_ipv6_ext(nh)) {
      int r = sipedge_walk_ipv6_ext(ctx, m, nh);
      if (r != SIPEDGE_PARSED) return r;
    } else {
      m->l4proto = nh;
    }
  } else {
    sipedge_full_len(ctx, m);
    return SIPEDGE_NOT_L4;
  }
  return sipedge_parse_l4(ctx, m);
}

#endif
