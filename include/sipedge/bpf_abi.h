/* The single definition of everything that crosses the kernel/user boundary of the XDP
 * classifier: map keys, map values, enums. Plain C with fixed-width types and no padding
 * holes, so the BPF program (clang -target bpf) and the C++ loader see identical layouts;
 * the C++ side static_asserts the sizes (userspace/xdp/abi_checks.h). */
#ifndef SIPEDGE_BPF_ABI_H
#define SIPEDGE_BPF_ABI_H

#include <linux/types.h>

/* Traffic classes. The numeric order is the order of the counters in struct sipedge_stats. */
enum sipedge_class {
  SIPEDGE_CLASS_SIP_UDP = 0,
  SIPEDGE_CLASS_SIP_TCP = 1,
  SIPEDGE_CLASS_SIP_TLS = 2,
  SIPEDGE_CLASS_SIP_SCTP = 3,
  SIPEDGE_CLASS_SIP_WS = 4,
  SIPEDGE_CLASS_SIP_WSS = 5,
  SIPEDGE_CLASS_KEEPALIVE = 6,
  SIPEDGE_CLASS_OTHER = 7,
  /* A non-first IPv4/IPv6 fragment: it carries no ports, so it cannot be classified. */
  SIPEDGE_CLASS_FRAGMENT = 8,
  SIPEDGE_CLASS_MAX = 9,
};

/* Drop reasons. `truncated` frames are passed, not dropped, but are counted here and in no
 * class: every frame lands in exactly one counter (a class or a reason). New reasons are
 * appended, so that names and numbers stay aligned for every reader. */
enum sipedge_drop {
  SIPEDGE_DROP_DENIED = 0,
  SIPEDGE_DROP_RATE_LIMITED = 1,
  SIPEDGE_DROP_MALFORMED = 2,
  SIPEDGE_DROP_TLS_REQUIRED = 3,
  SIPEDGE_DROP_TRUNCATED = 4,
  /* The IP source is known but the ports cannot be read: an IPv6 extension-header chain
   * longer than the walk limit, or a first fragment too short to hold the whole L4 header
   * (RFC 7112, RFC 1858). No real sender makes either; dropped from every source. */
  SIPEDGE_DROP_UNREADABLE = 5,
  SIPEDGE_DROP_MAX = 6,
};

struct sipedge_counter {
  __u64 packets;
  __u64 bytes;
};

/* Value of the per-CPU array `sipedge_stats` (one entry, key 0). Named fields so that
 * `bpftool map dump pinned .../stats` prints them; the program indexes the class counters
 * as an array starting at `sip_udp` (offsets checked by static_asserts on the C++ side). */
struct sipedge_stats {
  struct sipedge_counter sip_udp;
  struct sipedge_counter sip_tcp;
  struct sipedge_counter sip_tls;
  struct sipedge_counter sip_sctp;
  struct sipedge_counter sip_ws;
  struct sipedge_counter sip_wss;
  struct sipedge_counter keepalive;
  struct sipedge_counter other;
  struct sipedge_counter fragment;
  __u64 denied;
  __u64 rate_limited;
  __u64 malformed;
  __u64 tls_required;
  __u64 truncated;
  __u64 unreadable;
  /* Details, also counted above (so not part of the exactly-once sum): */
  __u64 keepalive_stun;   /* keep-alives that were STUN Binding requests (RFC 5626 §4.4.1) */
  __u64 rate_limited_new; /* rate_limited because the new-source budget was spent */
};

/* L4 protocols that have a port table. */
enum sipedge_l4 {
  SIPEDGE_L4_UDP = 0,
  SIPEDGE_L4_TCP = 1,
  SIPEDGE_L4_SCTP = 2,
};

/* Value of the array `sipedge_ports`, indexed by destination port (host byte order): the
 * class of that port per protocol. 0 means "not a SIP port" (class `other`); otherwise the
 * value is enum sipedge_class + 1. One array lookup serves all three protocols. */
struct sipedge_port_classes {
  __u8 udp;
  __u8 tcp;
  __u8 sctp;
  __u8 pad;
};

/* Source policy actions (values of the LPM tries and of the default). */
enum sipedge_policy {
  SIPEDGE_POLICY_NONE = 0, /* not listed: the default applies, rate limits apply */
  SIPEDGE_POLICY_DENY = 1,
  SIPEDGE_POLICY_ALLOW = 2, /* plaintext permitted; rate-limited unless flagged exempt */
  SIPEDGE_POLICY_TLS_ONLY = 3,
};

/* Bits of sipedge_policy_value.flags. */
enum sipedge_policy_flag {
  SIPEDGE_POLICY_F_EXEMPT = 1, /* exempt from rate limits (with allow or tls-only) */
};

/* Keys of the LPM tries `sipedge_policy4` / `sipedge_policy6` (address in network order). */
struct sipedge_lpm4_key {
  __u32 prefixlen;
  __u8 addr[4];
};

struct sipedge_lpm6_key {
  __u32 prefixlen;
  __u8 addr[16];
};

struct sipedge_policy_value {
  __u32 action; /* enum sipedge_policy */
  __u32 flags;  /* enum sipedge_policy_flag bits */
  __u64 hits;   /* packets this entry decided for (atomic add; carried over by a reload) */
};

/* Bits of sipedge_config.policy_families. The tries come in two sets, A (`sipedge_policy4`,
 * `sipedge_policy6`) and B (`sipedge_policy4b`, `sipedge_policy6b`); the program reads this
 * one word once per packet, so a reload fills the inactive set and then flips the set bit
 * together with that set's family bits: every packet sees one complete set, never a mix and
 * never a set being filled. */
enum sipedge_policy_families {
  SIPEDGE_POLICY_HAS_V4 = 1, /* the active set's IPv4 trie has entries */
  SIPEDGE_POLICY_HAS_V6 = 2, /* the active set's IPv6 trie has entries */
  SIPEDGE_POLICY_SET_B = 4,  /* set B is active (else set A) */
  /* Bits 8-31 are a generation, advanced by every change of the tries (after the change):
   * the program caches "this source is unlisted" per CPU under the whole word (ABI 4). */
  SIPEDGE_POLICY_GEN_ONE = 0x100,
};

/* Value of the array `sipedge_config` (one entry). Rate limits are GCRA (the virtual-
 * scheduling form of a token bucket): a packet costs `*_cost_ns` (= 1e9 / pps) and a source
 * may run ahead of its schedule by `*_cap_ns` (= (burst - 1) * cost), so `burst` packets pass
 * back to back after an idle spell. A cost of 0 disables that limit. Userspace does the
 * divisions and refuses rates that the integer cost cannot express within 1 %. */
struct sipedge_config {
  __u64 dgram_cost_ns;
  __u64 dgram_cap_ns;
  __u64 syn_cost_ns;
  __u64 syn_cap_ns;
  __u32 dgram_pps; /* as configured, for display */
  __u32 dgram_burst;
  __u32 syn_pps;
  __u32 syn_burst;
  __u32 default_policy;  /* SIPEDGE_POLICY_ALLOW or SIPEDGE_POLICY_TLS_ONLY */
  __u32 policy_families; /* enum sipedge_policy_families bits (empty tries are skipped) */
  /* Budget for sources without a bucket (new, or spoofed): per CPU, GCRA like the above.
   * A packet from an unknown source passes and gets a bucket only while its CPU's budget
   * lasts, so a spoofed flood cannot evict real sources or pass a fresh burst per address. */
  __u64 newsrc_cost_ns;
  __u64 newsrc_cap_ns;
  __u32 newsrc_pps; /* per CPU, as configured */
  __u32 newsrc_burst;
};

/* Which bucket a packet draws from. */
enum sipedge_bucket_kind {
  SIPEDGE_BUCKET_DGRAM = 0, /* SIP over UDP (incl. keep-alives), SCTP packets with DATA */
  SIPEDGE_BUCKET_SYN = 1,   /* TCP SYNs to SIP ports (tcp, tls, ws, wss), SCTP INIT */
};

/* Keys of the LRU hashes `sipedge_buckets` (IPv4 sources, by /32) and `sipedge_buckets6`
 * (IPv6 sources, by /64): a family each, so the hash runs over 8 or 16 bytes, not 20. */
struct sipedge_bucket4_key {
  __u8 addr[4];
  __u8 kind; /* enum sipedge_bucket_kind */
  __u8 pad[3];
};

struct sipedge_bucket6_key {
  __u8 addr[8]; /* the /64 */
  __u8 kind;    /* enum sipedge_bucket_kind */
  __u8 pad[7];
};

/* Both families in one shape, for userspace listings (no map uses it since ABI 3). */
struct sipedge_bucket_key {
  __u8 addr[16]; /* IPv4: first 4 bytes; IPv6: first 8 bytes, rest zero */
  __u8 family;   /* 4 or 6 */
  __u8 kind;     /* enum sipedge_bucket_kind */
  __u8 pad[2];
};

/* GCRA state of one source, shared by all CPUs and advanced with compare-and-swap. */
struct sipedge_bucket {
  __u64 tat_ns;       /* theoretical arrival time of the next conforming packet (ktime) */
  __u64 dropped;      /* packets refused, ever (atomic add) */
  __u64 last_drop_ns; /* ktime of the latest refusal */
};

/* Value of the per-CPU array `sipedge_newsrc` (one entry): that CPU's new-source budget. */
struct sipedge_newsrc {
  __u64 tat_ns;
};

/* Value of the array `sipedge_steer`, indexed by class. */
enum sipedge_steer_action {
  SIPEDGE_STEER_PASS = 0,
  SIPEDGE_STEER_CPU = 1, /* bpf_redirect_map into `sipedge_cpumap` at `cpu` */
};

struct sipedge_steer {
  __u32 action;
  __u32 cpu;
};

/* Value of the array `sipedge_state` (one entry), written by the loader only: what is
 * attached where, so that sipedgectl can report it after the loader has exited. */
enum sipedge_attach_mode {
  SIPEDGE_MODE_NONE = 0,
  SIPEDGE_MODE_NATIVE = 1,
  SIPEDGE_MODE_GENERIC = 2,
};

enum sipedge_backend {
  SIPEDGE_BACKEND_NONE = 0,
  SIPEDGE_BACKEND_LINK = 1,       /* our own bpf_link, pinned as `link` */
  SIPEDGE_BACKEND_DISPATCHER = 2, /* a slot in libxdp's multi-program dispatcher */
};

/* Bumped whenever a map key or value changes: pins from another version cannot be reused. */
#define SIPEDGE_ABI_VERSION 4

struct sipedge_state {
  __u32 ifindex;
  __u32 mode;    /* enum sipedge_attach_mode */
  __u32 backend; /* enum sipedge_backend */
  __u32 prog_id;
  __u32 abi_version; /* SIPEDGE_ABI_VERSION of the build that attached */
  __u32 pad;
};

#endif /* SIPEDGE_BPF_ABI_H */
