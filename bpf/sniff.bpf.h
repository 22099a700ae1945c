/* First-line sniff of a UDP payload on a SIP port: a known method token and SP, or
 * "SIP/2.0 " (RFC 3261 §7.1, §7.2), an extension method (any token) followed by a sip:, sips:
 * or tel: Request-URI, or a keep-alive (RFC 5626 §4.4.1): a bare CRLF / CRLFCRLF, or a STUN
 * Binding request (RFC 5389 §6: type 0x0001, magic cookie, length covering the datagram).
 *
 * The sniff works on a copy of the first 32 payload bytes on the stack, so it holds no packet
 * pointer, and it is a global function: the verifier checks it once (a few thousand
 * instructions) instead of once per path through the headers in front of it. */
#ifndef SIPEDGE_SNIFF_BPF_H
#define SIPEDGE_SNIFF_BPF_H

#include <linux/bpf.h>
#include <bpf/bpf_endian.h>
#include <bpf/bpf_helpers.h>

#include "parse.bpf.h"

enum sipedge_sniff {
  SIPEDGE_SNIFF_SIP = 0,
  SIPEDGE_SNIFF_KEEPALIVE,
  SIPEDGE_SNIFF_MALFORMED,
  SIPEDGE_SNIFF_STUN, /* a keep-alive that is a STUN Binding request */
};

#if __BYTE_ORDER__ != __ORDER_LITTLE_ENDIAN__
#error "the word compares below assume a little-endian BPF target"
#endif

/* A SIP message is far longer than this; 16 bytes covers "SUBSCRIBE " and "SIP/2.0 ". */
#define SIPEDGE_SNIFF_LEN 16
#define SIPEDGE_EXT_LEN 32 /* an extension method token of up to 23 characters */
#define SIPEDGE_STUN_LEN 20
#define SIPEDGE_STUN_COOKIE 0x2112A442

/* The payload's first bytes as the sniff sees them. */
struct sipedge_sniff_in {
  __u8 b[SIPEDGE_EXT_LEN]; /* zero beyond `have` */
  __u32 have;              /* bytes copied into b (<= 32) */
  __u32 here;              /* payload bytes in this frame (a first fragment: less than len) */
  __u32 len;               /* payload length of the whole datagram, from the UDP header */
  __u32 pad;
};

#define SIPEDGE_W(a, b, c, d, e, f, g, h)                                                  \
  ((__u64)(a) | (__u64)(b) << 8 | (__u64)(c) << 16 | (__u64)(d) << 24 | (__u64)(e) << 32 | \
   (__u64)(f) << 40 | (__u64)(g) << 48 | (__u64)(h) << 56)
#define SIPEDGE_MASK(n) ((n) >= 8 ? ~0ULL : ((1ULL << (8 * (n))) - 1))
#define SIPEDGE_PREFIX(w, n, a, b, c, d, e, f, g, h) \
  (((w)&SIPEDGE_MASK(n)) == (SIPEDGE_W(a, b, c, d, e, f, g, h) & SIPEDGE_MASK(n)))

/* Whether the 16 bytes (w0, w1) begin with a known SIP method + SP or with "SIP/2.0 ". */
static __always_inline int sipedge_first_line_ok(__u64 w0, __u64 w1) {
  switch (w0 & 0xff) {
    case 'A':
      return SIPEDGE_PREFIX(w0, 4, 'A', 'C', 'K', ' ', 0, 0, 0, 0);
    case 'B':
      return SIPEDGE_PREFIX(w0, 4, 'B', 'Y', 'E', ' ', 0, 0, 0, 0);
    case 'C':
      return SIPEDGE_PREFIX(w0, 7, 'C', 'A', 'N', 'C', 'E', 'L', ' ', 0);
    case 'I':
      return SIPEDGE_PREFIX(w0, 7, 'I', 'N', 'V', 'I', 'T', 'E', ' ', 0) ||
             SIPEDGE_PREFIX(w0, 5, 'I', 'N', 'F', 'O', ' ', 0, 0, 0);
    case 'M':
      return SIPEDGE_PREFIX(w0, 8, 'M', 'E', 'S', 'S', 'A', 'G', 'E', ' ');
    case 'N':
      return SIPEDGE_PREFIX(w0, 7, 'N', 'O', 'T', 'I', 'F', 'Y', ' ', 0);
    case 'O':
      return SIPEDGE_PREFIX(w0, 8, 'O', 'P', 'T', 'I', 'O', 'N', 'S', ' ');
    case 'P':
      return SIPEDGE_PREFIX(w0, 6, 'P', 'R', 'A', 'C', 'K', ' ', 0, 0) ||
             SIPEDGE_PREFIX(w0, 8, 'P', 'U', 'B', 'L', 'I', 'S', 'H', ' ');
    case 'R':
      return (SIPEDGE_PREFIX(w0, 8, 'R', 'E', 'G', 'I', 'S', 'T', 'E', 'R') &&
              SIPEDGE_PREFIX(w1, 1, ' ', 0, 0, 0, 0, 0, 0, 0)) ||
             SIPEDGE_PREFIX(w0, 6, 'R', 'E', 'F', 'E', 'R', ' ', 0, 0);
    case 'S':
      return SIPEDGE_PREFIX(w0, 8, 'S', 'I', 'P', '/', '2', '.', '0', ' ') ||
             (SIPEDGE_PREFIX(w0, 8, 'S', 'U', 'B', 'S', 'C', 'R', 'I', 'B') &&
              SIPEDGE_PREFIX(w1, 2, 'E', ' ', 0, 0, 0, 0, 0, 0));
    case 'U':
      return SIPEDGE_PREFIX(w0, 7, 'U', 'P', 'D', 'A', 'T', 'E', ' ', 0);
    default:
      return 0;
  }
}

/* token (RFC 3261 §25.1): alphanum / "-" / "." / "!" / "%" / "*" / "_" / "+" / "`" / "'" / "~",
 * as two 64-bit membership masks (characters 0-63 and 64-127): a shift and an AND per byte. */
#define SIPEDGE_TOKEN_LO                                                            \
  ((1ULL << '!') | (1ULL << '%') | (1ULL << '\'') | (1ULL << '*') | (1ULL << '+') | \
   (1ULL << '-') | (1ULL << '.') | (0x3ffULL << '0'))
#define SIPEDGE_TOKEN_HI                                                        \
  ((0x3ffffffULL << ('A' - 64)) | (1ULL << ('_' - 64)) | (1ULL << ('`' - 64)) | \
   (0x3ffffffULL << ('a' - 64)) | (1ULL << ('~' - 64)))

static __always_inline int sipedge_is_token_char(__u8 c) {
  __u64 mask = c < 64 ? SIPEDGE_TOKEN_LO : c < 128 ? SIPEDGE_TOKEN_HI : 0;
  return (mask >> (c & 63)) & 1;
}

/* An extension method (RFC 3261 §7.1: Method is any token): a token, SP, then a sip:, sips:
 * or tel: Request-URI. Only reached when no known method matched. */
static __always_inline int sipedge_extension_request(const __u8* p) {
  if (!sipedge_is_token_char(p[0])) return 0;
  for (int i = 1; i < SIPEDGE_EXT_LEN - 8; i++) {
    __u8 c = p[i];
    if (sipedge_is_token_char(c)) continue;
    if (c != ' ') return 0;
    __u8 a = p[i + 1] | 0x20, b = p[i + 2] | 0x20, d = p[i + 3] | 0x20;
    __u8 e = p[i + 4], f = p[i + 5];
    if (a == 's' && b == 'i' && d == 'p') return e == ':' || ((e | 0x20) == 's' && f == ':');
    return a == 't' && b == 'e' && d == 'l' && e == ':';
  }
  return 0;
}

/* A STUN Binding request whose length field covers exactly the datagram (RFC 5389 §6). */
static __always_inline int sipedge_stun_binding(const struct sipedge_sniff_in* in) {
  const __u8* p = in->b;
  if (in->len < SIPEDGE_STUN_LEN || in->have < SIPEDGE_STUN_LEN) return 0;
  __u32 cookie = (__u32)p[4] << 24 | (__u32)p[5] << 16 | (__u32)p[6] << 8 | p[7];
  __u32 mlen = (__u32)p[2] << 8 | p[3];
  return p[0] == 0 && p[1] == 1 && cookie == SIPEDGE_STUN_COOKIE && (mlen & 3) == 0 &&
         mlen + SIPEDGE_STUN_LEN == in->len;
}

/* Classifies a UDP payload: enum sipedge_sniff. A whole datagram is judged by its UDP length
 * (Ethernet padding after a short keep-alive is ignored); a first fragment by the bytes it
 * carries, its UDP length covering the whole datagram as a real sender sets it. */
__noinline int sipedge_sniff_payload(struct sipedge_sniff_in* in) {
  if (!in) return SIPEDGE_SNIFF_MALFORMED;
  const __u8* p = in->b;
  if (in->len == 2 && in->have >= 2)
    return p[0] == '\r' && p[1] == '\n' ? SIPEDGE_SNIFF_KEEPALIVE : SIPEDGE_SNIFF_MALFORMED;
  if (in->len == 4 && in->have >= 4)
    return p[0] == '\r' && p[1] == '\n' && p[2] == '\r' && p[3] == '\n' ? SIPEDGE_SNIFF_KEEPALIVE
                                                                        : SIPEDGE_SNIFF_MALFORMED;
  if (sipedge_stun_binding(in)) return SIPEDGE_SNIFF_STUN;
  if (in->len < SIPEDGE_SNIFF_LEN || in->have < SIPEDGE_SNIFF_LEN) return SIPEDGE_SNIFF_MALFORMED;
  __u64 w0 = *(const __u64*)p;
  __u64 w1 = *(const __u64*)(p + 8);
  if (sipedge_first_line_ok(w0, w1)) return SIPEDGE_SNIFF_SIP;
  if (in->len < SIPEDGE_EXT_LEN || in->have < SIPEDGE_EXT_LEN) return SIPEDGE_SNIFF_MALFORMED;
  return sipedge_extension_request(p) ? SIPEDGE_SNIFF_SIP : SIPEDGE_SNIFF_MALFORMED;
}

/* Copies the first payload bytes of the UDP datagram described by `m` and sniffs them. A
 * whole datagram whose UDP length claims more than its IP payload, or a first fragment whose
 * UDP length claims less than it carries, is malformed. */
static __always_inline int sipedge_sniff_udp(struct xdp_md* ctx, const struct sipedge_meta* m) {
  __u32 poff = m->l4_off + 8;
  if (m->udp_len < 8) return SIPEDGE_SNIFF_MALFORMED;
  __u32 len = m->udp_len - 8;
  __u32 here = m->l4_end > poff ? m->l4_end - poff : 0;
  if (m->first_frag ? len < here : len > here) return SIPEDGE_SNIFF_MALFORMED;
  void* data = (void*)(long)ctx->data;
  void* end = (void*)(long)ctx->data_end;
  if (poff > SIPEDGE_MAX_OFF) return SIPEDGE_SNIFF_MALFORMED;
  __u64* src = data + (poff & SIPEDGE_DIRECT_OFF);
  /* The fast path, inline: a known method or a status line in the first 16 bytes, read
   * straight from the packet. Same verdict as the global sniff below (a letter first is never
   * STUN, and 16 bytes are never a bare CRLF keep-alive), at about half the cost. */
  if (len >= SIPEDGE_SNIFF_LEN && here >= SIPEDGE_SNIFF_LEN && poff <= SIPEDGE_DIRECT_OFF &&
      (void*)(src + 2) <= end && sipedge_first_line_ok(src[0], src[1]))
    return SIPEDGE_SNIFF_SIP;

  struct sipedge_sniff_in in = {};
  in.len = len;
  in.here = here;
  __u32 n = len < here ? len : here;
  if (n > SIPEDGE_EXT_LEN) n = SIPEDGE_EXT_LEN;
  if (n == SIPEDGE_EXT_LEN && poff <= SIPEDGE_DIRECT_OFF && (void*)(src + 4) <= end) {
    /* Four 8-byte loads (unaligned packet loads are fine on x86-64). */
    __u64* dst = (__u64*)in.b;
    dst[0] = src[0];
    dst[1] = src[1];
    dst[2] = src[2];
    dst[3] = src[3];
  } else if (n > 0 && n <= SIPEDGE_EXT_LEN) {
    if (bpf_xdp_load_bytes(ctx, poff, in.b, n)) return SIPEDGE_SNIFF_MALFORMED;
  }
  in.have = n;
  return sipedge_sniff_payload(&in);
}

#endif
