/* The maps of sipedge_xdp. Every key and value type comes from sipedge/bpf_abi.h; all maps
 * carry BTF so bpftool prints field names. Pinning is done by the loader (it sets pin paths
 * before load), not here, so that program tests load private, unpinned copies. */
#ifndef SIPEDGE_MAPS_BPF_H
#define SIPEDGE_MAPS_BPF_H

#include <linux/bpf.h>
#include <bpf/bpf_helpers.h>

#include "sipedge/bpf_abi.h"

struct {
  __uint(type, BPF_MAP_TYPE_PERCPU_ARRAY);
  __uint(max_entries, 1);
  __type(key, __u32);
  __type(value, struct sipedge_stats);
} sipedge_stats SEC(".maps");

/* Indexed by destination port; one lookup answers for UDP, TCP and SCTP. */
struct {
  __uint(type, BPF_MAP_TYPE_ARRAY);
  __uint(max_entries, 65536);
  __type(key, __u32);
  __type(value, struct sipedge_port_classes);
} sipedge_ports SEC(".maps");

struct {
  __uint(type, BPF_MAP_TYPE_LPM_TRIE);
  __uint(max_entries, 65536);
  __uint(map_flags, BPF_F_NO_PREALLOC);
  __type(key, struct sipedge_lpm4_key);
  __type(value, struct sipedge_policy_value);
} sipedge_policy4 SEC(".maps");

struct {
  __uint(type, BPF_MAP_TYPE_LPM_TRIE);
  __uint(max_entries, 65536);
  __uint(map_flags, BPF_F_NO_PREALLOC);
  __type(key, struct sipedge_lpm6_key);
  __type(value, struct sipedge_policy_value);
} sipedge_policy6 SEC(".maps");

/* Set B of the policy tries (see enum sipedge_policy_families): a reload fills the inactive
 * set and flips one bit, so no packet ever meets a half-loaded policy. */
struct {
  __uint(type, BPF_MAP_TYPE_LPM_TRIE);
  __uint(max_entries, 65536);
  __uint(map_flags, BPF_F_NO_PREALLOC);
  __type(key, struct sipedge_lpm4_key);
  __type(value, struct sipedge_policy_value);
} sipedge_policy4b SEC(".maps");

struct {
  __uint(type, BPF_MAP_TYPE_LPM_TRIE);
  __uint(max_entries, 65536);
  __uint(map_flags, BPF_F_NO_PREALLOC);
  __type(key, struct sipedge_lpm6_key);
  __type(value, struct sipedge_policy_value);
} sipedge_policy6b SEC(".maps");

struct {
  __uint(type, BPF_MAP_TYPE_ARRAY);
  __uint(max_entries, 1);
  __type(key, __u32);
  __type(value, struct sipedge_config);
} sipedge_config SEC(".maps");

/* Rate-limit state of IPv4 sources (by /32) and IPv6 sources (by /64), one map a family. */
struct {
  __uint(type, BPF_MAP_TYPE_LRU_HASH);
  __uint(max_entries, 131072);
  __type(key, struct sipedge_bucket4_key);
  __type(value, struct sipedge_bucket);
} sipedge_buckets SEC(".maps");

struct {
  __uint(type, BPF_MAP_TYPE_LRU_HASH);
  __uint(max_entries, 131072);
  __type(key, struct sipedge_bucket6_key);
  __type(value, struct sipedge_bucket);
} sipedge_buckets6 SEC(".maps");

struct {
  __uint(type, BPF_MAP_TYPE_ARRAY);
  __uint(max_entries, SIPEDGE_CLASS_MAX);
  __type(key, __u32);
  __type(value, struct sipedge_steer);
} sipedge_steer SEC(".maps");

/* max_entries is set to the number of possible CPUs by the loader before load. */
struct {
  __uint(type, BPF_MAP_TYPE_CPUMAP);
  __uint(max_entries, 1);
  __type(key, __u32);
  __type(value, struct bpf_cpumap_val);
} sipedge_cpumap SEC(".maps");

/* Per-CPU budget for sources that have no bucket yet (see sipedge_config.newsrc_*). */
struct {
  __uint(type, BPF_MAP_TYPE_PERCPU_ARRAY);
  __uint(max_entries, 1);
  __type(key, __u32);
  __type(value, struct sipedge_newsrc);
} sipedge_newsrc SEC(".maps");

/* Written by the loader only (what is attached, how); the program never reads it. */
struct {
  __uint(type, BPF_MAP_TYPE_ARRAY);
  __uint(max_entries, 1);
  __type(key, __u32);
  __type(value, struct sipedge_state);
} sipedge_state SEC(".maps");

#endif
