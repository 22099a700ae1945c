// Compile-time checks that the C++ side sees bpf_abi.h exactly as the BPF program does:
// sizes without padding holes, and the class counters laid out as an array.
#pragma once

#include <cstddef>

#include "sipedge/bpf_abi.h"

static_assert(sizeof(struct sipedge_counter) == 16);
// Classes, then drop reasons, then two detail counters.
static_assert(sizeof(struct sipedge_stats) == 16 * SIPEDGE_CLASS_MAX + 8 * SIPEDGE_DROP_MAX + 16);
static_assert(offsetof(struct sipedge_stats, sip_udp) == 16 * SIPEDGE_CLASS_SIP_UDP);
static_assert(offsetof(struct sipedge_stats, sip_tcp) == 16 * SIPEDGE_CLASS_SIP_TCP);
static_assert(offsetof(struct sipedge_stats, sip_tls) == 16 * SIPEDGE_CLASS_SIP_TLS);
static_assert(offsetof(struct sipedge_stats, sip_sctp) == 16 * SIPEDGE_CLASS_SIP_SCTP);
static_assert(offsetof(struct sipedge_stats, sip_ws) == 16 * SIPEDGE_CLASS_SIP_WS);
static_assert(offsetof(struct sipedge_stats, sip_wss) == 16 * SIPEDGE_CLASS_SIP_WSS);
static_assert(offsetof(struct sipedge_stats, keepalive) == 16 * SIPEDGE_CLASS_KEEPALIVE);
static_assert(offsetof(struct sipedge_stats, other) == 16 * SIPEDGE_CLASS_OTHER);
static_assert(offsetof(struct sipedge_stats, fragment) == 16 * SIPEDGE_CLASS_FRAGMENT);
static_assert(offsetof(struct sipedge_stats, denied) ==
              16 * SIPEDGE_CLASS_MAX + 8 * SIPEDGE_DROP_DENIED);
static_assert(offsetof(struct sipedge_stats, rate_limited) ==
              16 * SIPEDGE_CLASS_MAX + 8 * SIPEDGE_DROP_RATE_LIMITED);
static_assert(offsetof(struct sipedge_stats, malformed) ==
              16 * SIPEDGE_CLASS_MAX + 8 * SIPEDGE_DROP_MALFORMED);
static_assert(offsetof(struct sipedge_stats, tls_required) ==
              16 * SIPEDGE_CLASS_MAX + 8 * SIPEDGE_DROP_TLS_REQUIRED);
static_assert(offsetof(struct sipedge_stats, truncated) ==
              16 * SIPEDGE_CLASS_MAX + 8 * SIPEDGE_DROP_TRUNCATED);
static_assert(offsetof(struct sipedge_stats, unreadable) ==
              16 * SIPEDGE_CLASS_MAX + 8 * SIPEDGE_DROP_UNREADABLE);
static_assert(offsetof(struct sipedge_stats, keepalive_stun) ==
              16 * SIPEDGE_CLASS_MAX + 8 * SIPEDGE_DROP_MAX);
static_assert(sizeof(struct sipedge_port_classes) == 4);
static_assert(sizeof(struct sipedge_lpm4_key) == 8);
static_assert(sizeof(struct sipedge_lpm6_key) == 20);
static_assert(sizeof(struct sipedge_policy_value) == 16);
static_assert(sizeof(struct sipedge_config) == 80);
static_assert(sizeof(struct sipedge_bucket_key) == 20);
static_assert(sizeof(struct sipedge_bucket4_key) == 8);
static_assert(sizeof(struct sipedge_bucket6_key) == 16);
static_assert(sizeof(struct sipedge_bucket) == 24);
static_assert(sizeof(struct sipedge_newsrc) == 8);
static_assert(sizeof(struct sipedge_steer) == 8);
static_assert(sizeof(struct sipedge_state) == 24);
