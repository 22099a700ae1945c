/* The per-CPU source cache of sipedge_xdp: a direct-mapped table of recent sources per CPU,
 * so that a known source's packet skips the policy tries, the clock, the bucket hash and the
 * compare-and-swap. A slot holds one source address and
 *  - its cached policy verdict "unlisted", valid while sipedge_config.policy_families is the
 *    word it was cached under: userspace changes that word (its generation bits) after every
 *    change of the tries, and listed sources are never cached (their hit counters count);
 *  - per bucket kind, a lease: tokens this CPU has already charged to the source's shared
 *    bucket (GCRA, all at once) and may hand out without touching it, until the lease ends
 *    one to two jiffies later. A packet never passes without a charge, so the shared limit,
 *    the cross-CPU bound and the burst bound stand; unused tokens of an ended lease are lost.
 *    The lease size starts at 1 and doubles while leases are used up before they end (at
 *    most the burst and SIPEDGE_LEASE_MAX), so a slow source charges one packet at a time.
 * Nothing outside the program reads this map; it is not pinned. Slots are per CPU, so they
 * are written without atomics; a writer invalidates a slot before changing its address. */
#ifndef SIPEDGE_SRCCACHE_BPF_H
#define SIPEDGE_SRCCACHE_BPF_H

#include <linux/bpf.h>
#include <bpf/bpf_helpers.h>

#include "sipedge/bpf_abi.h"
#include "parse.bpf.h"

#define SIPEDGE_SRCCACHE_SLOTS 4096 /* per CPU, a power of two */
#define SIPEDGE_LEASE_MAX 32        /* most tokens one lease charges */
#define SIPEDGE_BUCKET_KINDS 2

struct sipedge_lease {
  __u64 end_jiffies; /* valid while jiffies < end_jiffies */
  __u32 tokens;      /* left to hand out */
  __u32 size;        /* tokens the next lease asks for */
};

struct sipedge_srcslot {
  __u64 addr[2];  /* the source address as in sipedge_meta.saddr */
  __u32 family;   /* 4 or 6; 0 while the slot is being rewritten */
  __u32 pol_word; /* policy_families under which the source was unlisted; 0: not cached */
  struct sipedge_lease lease[SIPEDGE_BUCKET_KINDS];
};

struct {
  __uint(type, BPF_MAP_TYPE_PERCPU_ARRAY);
  __uint(max_entries, SIPEDGE_SRCCACHE_SLOTS);
  __type(key, __u32);
  __type(value, struct sipedge_srcslot);
} sipedge_srccache SEC(".maps");

#define sipedge_compiler_barrier() asm volatile("" ::: "memory")

/* The source address of `m` as two words. */
static __always_inline void sipedge_src_words(const struct sipedge_meta* m, __u64 w[2]) {
  __builtin_memcpy(w, m->saddr, 16);
}

/* This CPU's slot for the source of `m` (whoever holds it now), or NULL. */
static __always_inline struct sipedge_srcslot* sipedge_srcslot_of(const __u64 w[2]) {
  __u64 x = w[0] ^ w[1];
  __u32 h = (__u32)((x ^ (x >> 29)) * 0x9E3779B97F4A7C15ull >> 40);
  __u32 idx = h & (SIPEDGE_SRCCACHE_SLOTS - 1);
  return bpf_map_lookup_elem(&sipedge_srccache, &idx);
}

/* Whether `s` holds the source `w` of family `family`. */
static __always_inline int sipedge_srcslot_holds(const struct sipedge_srcslot* s, const __u64 w[2],
                                                 __u32 family) {
  return s->family == family && s->addr[0] == w[0] && s->addr[1] == w[1];
}

/* Makes `s` the slot of source `w`: no cached policy, no leases. */
static __always_inline void sipedge_srcslot_claim(struct sipedge_srcslot* s, const __u64 w[2],
                                                  __u32 family) {
  s->family = 0;
  s->pol_word = 0;
  sipedge_compiler_barrier();
  s->addr[0] = w[0];
  s->addr[1] = w[1];
  s->lease[0].tokens = 0;
  s->lease[0].size = 1;
  s->lease[1].tokens = 0;
  s->lease[1].size = 1;
  sipedge_compiler_barrier();
  s->family = family;
}

/* Whether `s` still has a lease with tokens in it (then it is not given to another source
 * for a policy verdict alone: the tokens were charged to their owner). */
static __always_inline int sipedge_srcslot_busy(const struct sipedge_srcslot* s, __u64 jiffies) {
  return (s->lease[0].tokens && jiffies < s->lease[0].end_jiffies) ||
         (s->lease[1].tokens && jiffies < s->lease[1].end_jiffies);
}

/* Hands out one token of the lease `l`, if it has one and has not ended. */
static __always_inline int sipedge_lease_take(struct sipedge_lease* l) {
  if (!l->tokens) return 0;
  if (bpf_jiffies64() >= l->end_jiffies) return 0;
  l->tokens--;
  return 1;
}

/* How many tokens the next lease of `l` asks for, at most `burst`: double when the last one
 * was used up before it ended, else one. */
static __always_inline __u32 sipedge_lease_want(const struct sipedge_lease* l, __u32 burst,
                                                __u64 jiffies) {
  __u32 want = 1;
  if (!l->tokens && jiffies < l->end_jiffies) want = l->size * 2;
  if (want > SIPEDGE_LEASE_MAX) want = SIPEDGE_LEASE_MAX;
  if (want > burst) want = burst;
  return want ? want : 1;
}

/* Starts a lease of `granted` tokens, one of them spent on the packet at hand. */
static __always_inline void sipedge_lease_start(struct sipedge_lease* l, __u32 granted,
                                                __u64 jiffies) {
  l->tokens = granted - 1;
  l->size = granted;
  /* Ends after the next tick but one: 1-2 jiffies (4-8 ms at HZ=250). */
  l->end_jiffies = jiffies + 2;
}

#endif
