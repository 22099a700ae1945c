/* First-line sniff of a UDP payload on a SIP port: a known method token and SP, or
 * "SIP/2.0 " (RFC 3261 §7.1, §7.2), or a bare CRLF / CRLFCRLF keep-alive (RFC 5626 §4.4.1).
 * Reads at most 16 bytes, compared as two little-endian words under masks. */
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
  return sipedge_first_line_ok(w0, w1) ? SIPEDGE_SNIFF_SIP : SIPEDGE_SNIFF_MALFORMED;
}

#endif
