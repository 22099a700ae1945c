/* Source policy (LPM tries) and per-source rate limits (GCRA) for sipedge_xdp. */
#ifndef SIPEDGE_POLICY_BPF_H
#define SIPEDGE_POLICY_BPF_H

#include <bpf/bpf_helpers.h>

#include "maps.bpf.h"
#include "parse.bpf.h"

/* The listed policy of the packet's source (action and flags), or all zero when unlisted, and
 * one more hit on the entry that decided. `fam` is sipedge_config.policy_families, read once
 * per packet (see enum sipedge_policy_families); a family whose trie is empty costs no lookup.
 * Needs only the L3 source. */
static __always_inline struct sipedge_policy_value sipedge_source_policy(
    const struct sipedge_meta* m, __u32 fam) {
  struct sipedge_policy_value none = {};
  struct sipedge_policy_value* v;
  if (m->family == 4) {
    if (!(fam & SIPEDGE_POLICY_HAS_V4)) return none;
    struct sipedge_lpm4_key k = {.prefixlen = 32};
    __builtin_memcpy(k.addr, m->saddr, 4);
    v = bpf_map_lookup_elem(
        fam & SIPEDGE_POLICY_SET_B ? (void*)&sipedge_policy4b : (void*)&sipedge_policy4, &k);
  } else {
    if (!(fam & SIPEDGE_POLICY_HAS_V6)) return none;
    struct sipedge_lpm6_key k = {.prefixlen = 128};
    __builtin_memcpy(k.addr, m->saddr, 16);
    v = bpf_map_lookup_elem(
        fam & SIPEDGE_POLICY_SET_B ? (void*)&sipedge_policy6b : (void*)&sipedge_policy6, &k);
  }
  if (!v) return none;
  __sync_fetch_and_add(&v->hits, 1);
  return *v;
}

/* Whether plaintext from a source with listed action `action` is refused. */
static __always_inline int sipedge_tls_only(__u32 action, const struct sipedge_config* cfg) {
  return action == SIPEDGE_POLICY_TLS_ONLY ||
         (action == SIPEDGE_POLICY_NONE && cfg->default_policy == SIPEDGE_POLICY_TLS_ONLY);
}

/* Whether this CPU's budget for new sources allows one more (per-CPU: no atomics needed). */
static __always_inline int sipedge_newsrc_take(const struct sipedge_config* cfg, __u64 now,
                                               struct sipedge_stats* st) {
  if (!cfg->newsrc_cost_ns) return 1;
  __u32 zero = 0;
  struct sipedge_newsrc* nb = bpf_map_lookup_elem(&sipedge_newsrc, &zero);
  if (!nb) return 0;
  __u64 tat = nb->tat_ns > now ? nb->tat_ns : now;
  if (tat - now > cfg->newsrc_cap_ns) {
    st->rate_limited_new++;
    return 0;
  }
  nb->tat_ns = tat + cfg->newsrc_cost_ns;
  return 1;
}

/* Charges up to `want` packets to `b` at once (GCRA: as many as may pass back to back now);
 * returns how many were charged, 0 if not even one may pass. The bucket is one timestamp
 * advanced with compare-and-swap, so the limit holds across CPUs. */
static __always_inline __u32 sipedge_charge(struct sipedge_bucket* b, __u64 now, __u64 cost,
                                            __u64 cap, __u32 want) {
#pragma unroll
  for (int i = 0; i < 4; i++) {
    __u64 old = *(volatile __u64*)&b->tat_ns;
    __u64 tat = old > now ? old : now;
    if (tat - now > cap) break;
    __u64 k = 1;
    if (want > 1) {
      k = (cap - (tat - now)) / cost + 1;
      if (k > want) k = want;
    }
    if (__sync_val_compare_and_swap(&b->tat_ns, old, tat + k * cost) == old) return (__u32)k;
  }
  /* Over the limit (or lost the race four times to other CPUs charging the same source). */
  __sync_fetch_and_add(&b->dropped, 1);
  b->last_drop_ns = now;
  return 0;
}

/* A source without a bucket: passes, with a fresh bucket, only within the new-source budget.
 * Two CPUs racing here both pass one packet: a CPU's worth of slack, once per source. */
static __always_inline int sipedge_first_charge(void* map, const void* key, __u64 now, __u64 cost,
                                                const struct sipedge_config* cfg,
                                                struct sipedge_stats* st) {
  if (!sipedge_newsrc_take(cfg, now, st)) return 0;
  struct sipedge_bucket fresh = {.tat_ns = now + cost};
  bpf_map_update_elem(map, key, &fresh, BPF_NOEXIST);
  return 1;
}

/* Charges up to `want` packets to the source's bucket of `kind` (IPv4: its /32, IPv6: its
 * /64, each family in its own map with a key as short as the address). Returns how many were
 * charged (0: the packet may not pass); `*known` says whether the source had a bucket. */
static __always_inline __u32 sipedge_bucket_take(const struct sipedge_meta* m, __u8 kind,
                                                 __u64 cost, __u64 cap, __u32 want,
                                                 const struct sipedge_config* cfg,
                                                 struct sipedge_stats* st, int* known) {
  __u64 now = bpf_ktime_get_ns();
  if (m->family == 4) {
    struct sipedge_bucket4_key k = {.kind = kind};
    __builtin_memcpy(k.addr, m->saddr, 4);
    struct sipedge_bucket* b = bpf_map_lookup_elem(&sipedge_buckets, &k);
    *known = b != 0;
    if (b) return sipedge_charge(b, now, cost, cap, want);
    return sipedge_first_charge(&sipedge_buckets, &k, now, cost, cfg, st);
  }
  struct sipedge_bucket6_key k = {.kind = kind};
  __builtin_memcpy(k.addr, m->saddr, 8);
  struct sipedge_bucket* b = bpf_map_lookup_elem(&sipedge_buckets6, &k);
  *known = b != 0;
  if (b) return sipedge_charge(b, now, cost, cap, want);
  return sipedge_first_charge(&sipedge_buckets6, &k, now, cost, cfg, st);
}

#endif
