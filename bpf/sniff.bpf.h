/* First-line sniff of a UDP payload on a SIP port: a known method token and SP, or
 * "SIP/2.0 " (RFC 3261 §7.1, §7.2), or a bare CRLF / CRLFCRLF keep-alive (RFC 5626 §4.4.1).
 * Known methods: 16 bytes compared as two little-endian words under masks. Any other method
 * token passes when a sip:/sips:/tel: Request-URI follows it (a bounded 32-byte walk). */
#ifndef SIPEDGE_SNIFF_BPF_H
#define SIPEDGE_SNIFF_BPF_H

#include <linux/udp.h>
#include <bpf/bpf_endian.h>
#include <bpf/bpf_helpers.h>

enum sipedge_sniff {
  SIPEDGE_SNIFF_SIP = 0,
  SIPEDGE_SNIFF_KEEPALIVE,
  SIPEDGE_SNIFF_MALFORMED,
};

#if __BYTE_ORDER__ != __ORDER_LITTLE_ENDIAN__
#error "the word compares below assume a little-endian BPF target"
#endif

/* A SIP message is far longer than this; 16 bytes covers "SUBSCRIBE " and "SIP/2.0 ". */
#define SIPEDGE_SNIFF_LEN 16

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

/* token (RFC 3261 §25.1): alphanum / "-" / "." / "!" / "%" / "*" / "_" / "+" / "`" / "'" / "~" */
static __always_inline int sipedge_is_token_char(__u8 c) {
  __u8 l = c | 0x20;
  if (l >= 'a' && l <= 'z') return 1;
  if (c >= '0' && c <= '9') return 1;
  switch (c) {
    case '-':
    case '.':
    case '!':
    case '%':
    case '*':
    case '_':
    case '+':
    case '`':
    case '\'':
    case '~':
      return 1;
    default:
      return 0;
  }
}

#define SIPEDGE_EXT_LEN 32 /* an extension method token of up to 23 characters */

/* An extension method (RFC 3261 §7.1: Method is any token): a token, SP, then a sip:, sips:
 * or tel: Request-URI. Only reached when no known method matched, so known methods pay
 * nothing for it; the fixed-length loop is unrolled, every read is under one bounds check. */
static __always_inline int sipedge_extension_request(const __u8* p, const void* end) {
  if ((const void*)(p + SIPEDGE_EXT_LEN) > end) return 0;
  if (!sipedge_is_token_char(p[0])) return 0;
#pragma clang loop unroll(full)
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

/* Classifies the payload of `udp` (its length taken from the UDP header, so Ethernet
 * padding after a short keep-alive is ignored). A payload claiming more bytes than the
 * frame holds is malformed. */
static __always_inline enum sipedge_sniff sipedge_sniff_udp(struct udphdr* udp, void* end) {
  __u32 ulen = bpf_ntohs(udp->len);
  if (ulen < sizeof(*udp)) return SIPEDGE_SNIFF_MALFORMED;
  __u32 plen = ulen - sizeof(*udp);
  __u8* p = (__u8*)(udp + 1);
  if ((void*)p + plen > end) return SIPEDGE_SNIFF_MALFORMED;

  if (plen == 2) {
    if ((void*)(p + 2) > end) return SIPEDGE_SNIFF_MALFORMED;
    return (p[0] == '\r' && p[1] == '\n') ? SIPEDGE_SNIFF_KEEPALIVE : SIPEDGE_SNIFF_MALFORMED;
  }
  if (plen == 4) {
    if ((void*)(p + 4) > end) return SIPEDGE_SNIFF_MALFORMED;
    return (p[0] == '\r' && p[1] == '\n' && p[2] == '\r' && p[3] == '\n') ? SIPEDGE_SNIFF_KEEPALIVE
                                                                          : SIPEDGE_SNIFF_MALFORMED;
  }
  if (plen < SIPEDGE_SNIFF_LEN || (void*)(p + SIPEDGE_SNIFF_LEN) > end)
    return SIPEDGE_SNIFF_MALFORMED;
  /* Unaligned 8-byte packet loads are allowed on this architecture (x86-64 has efficient
   * unaligned access, so the verifier does not demand alignment of packet pointers). */
  __u64 w0 = *(__u64*)p;
  __u64 w1 = *(__u64*)(p + 8);
  if (sipedge_first_line_ok(w0, w1)) return SIPEDGE_SNIFF_SIP;
  return sipedge_extension_request(p, end) ? SIPEDGE_SNIFF_SIP : SIPEDGE_SNIFF_MALFORMED;
}

#endif
