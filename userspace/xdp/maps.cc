#include "xdp/maps.h"

#include <bpf/bpf.h>
#include <bpf/libbpf.h>

#include <cerrno>
#include <cstring>
#include <ctime>

#include "xdp/abi_checks.h"

namespace sipedge::xdp {
namespace {

constexpr uint32_t kZero = 0;
// Per-CPU map values are copied out one 8-byte-aligned slot per possible CPU.
constexpr size_t kStatsSlot = (sizeof(sipedge_stats) + 7) & ~size_t{7};
constexpr uint32_t kCpumapQueueSize = 2048;

Result<int> PossibleCpus() {
  int n = libbpf_num_possible_cpus();
  if (n <= 0) return sipedge::unexpected(ErrnoMessage("cannot count CPUs", -n));
  return n;
}

uint8_t* PortSlot(sipedge_port_classes& pc, sipedge_l4 l4) {
  switch (l4) {
    case SIPEDGE_L4_UDP:
      return &pc.udp;
    case SIPEDGE_L4_TCP:
      return &pc.tcp;
    case SIPEDGE_L4_SCTP:
      return &pc.sctp;
  }
  return &pc.udp;
}

Status Update(int fd, const void* key, const void* value, const char* what) {
  if (bpf_map_update_elem(fd, key, value, BPF_ANY) != 0)
    return sipedge::unexpected(ErrnoMessage(what, errno));
  return Ok{};
}

}  // namespace

std::string ErrnoMessage(const std::string& what, int err) {
  if (err < 0) err = -err;
  return what + ": " + std::strerror(err);
}

Result<StatsTotals> ReadStats(const MapSet& maps) {
  auto cpus = PossibleCpus();
  if (!cpus) return sipedge::unexpected(cpus.error());
  std::vector<unsigned char> buf(kStatsSlot * *cpus);
  if (bpf_map_lookup_elem(maps.stats, &kZero, buf.data()) != 0)
    return sipedge::unexpected(ErrnoMessage("cannot read stats map", errno));
  StatsTotals t;
  for (int cpu = 0; cpu < *cpus; ++cpu) {
    sipedge_stats s;
    std::memcpy(&s, buf.data() + kStatsSlot * cpu, sizeof(s));
    const sipedge_counter* c = &s.sip_udp;
    for (unsigned i = 0; i < SIPEDGE_CLASS_MAX; ++i) {
      t.classes[i].packets += c[i].packets;
      t.classes[i].bytes += c[i].bytes;
    }
    const __u64* d = &s.denied;
    for (unsigned i = 0; i < SIPEDGE_DROP_MAX; ++i) t.drops[i] += d[i];
    t.keepalive_stun += s.keepalive_stun;
    t.rate_limited_new += s.rate_limited_new;
  }
  return t;
}

Status ResetStats(const MapSet& maps) {
  auto cpus = PossibleCpus();
  if (!cpus) return sipedge::unexpected(cpus.error());
  std::vector<unsigned char> zeros(kStatsSlot * *cpus, 0);
  return Update(maps.stats, &kZero, zeros.data(), "cannot reset stats map");
}

Status WriteDefaults(const MapSet& maps) {
  for (auto l4 : {SIPEDGE_L4_UDP, SIPEDGE_L4_TCP, SIPEDGE_L4_SCTP}) {
    int cls = l4 == SIPEDGE_L4_UDP   ? SIPEDGE_CLASS_SIP_UDP
              : l4 == SIPEDGE_L4_TCP ? SIPEDGE_CLASS_SIP_TCP
                                     : SIPEDGE_CLASS_SIP_SCTP;
    if (auto s = SetPort(maps, l4, 5060, cls); !s) return s;
  }
  if (auto s = SetPort(maps, SIPEDGE_L4_TCP, 5061, SIPEDGE_CLASS_SIP_TLS); !s) return s;
  sipedge_config cfg{};
  cfg.default_policy = SIPEDGE_POLICY_ALLOW;
  if (auto s = Update(maps.config, &kZero, &cfg, "cannot write config map"); !s) return s;
  if (auto s = SetNewSourceBudget(maps, kNewSourcePps, kNewSourceBurst); !s) return s;
  for (unsigned cls = 0; cls < SIPEDGE_CLASS_MAX; ++cls) {
    sipedge_steer pass{SIPEDGE_STEER_PASS, 0};
    if (auto s = Update(maps.steer, &cls, &pass, "cannot write steer map"); !s) return s;
  }
  return Ok{};
}

Status SetPort(const MapSet& maps, sipedge_l4 l4, uint16_t port, int cls) {
  uint32_t key = port;
  sipedge_port_classes pc{};
  if (bpf_map_lookup_elem(maps.ports, &key, &pc) != 0)
    return sipedge::unexpected(ErrnoMessage("cannot read ports map", errno));
  *PortSlot(pc, l4) = cls < 0 ? 0 : static_cast<uint8_t>(cls + 1);
  return Update(maps.ports, &key, &pc, "cannot write ports map");
}

Result<std::vector<PortEntry>> ListPorts(const MapSet& maps) {
  std::vector<PortEntry> out;
  for (uint32_t port = 0; port < 65536; ++port) {
    sipedge_port_classes pc{};
    if (bpf_map_lookup_elem(maps.ports, &port, &pc) != 0)
      return sipedge::unexpected(ErrnoMessage("cannot read ports map", errno));
    for (auto l4 : {SIPEDGE_L4_UDP, SIPEDGE_L4_TCP, SIPEDGE_L4_SCTP}) {
      uint8_t v = *PortSlot(pc, l4);
      if (v) out.push_back({static_cast<uint16_t>(port), l4, static_cast<unsigned>(v - 1)});
    }
  }
  return out;
}

// Tells the program which tries hold entries, so that it skips lookups in an empty one.
static Status UpdatePolicyFamilies(const MapSet& maps) {
  auto cfg = ReadConfig(maps);
  if (!cfg) return sipedge::unexpected(cfg.error());
  sipedge_lpm6_key any{};  // large enough for either key
  uint32_t families = 0;
  if (bpf_map_get_next_key(maps.policy4, nullptr, &any) == 0) families |= 1;
  if (bpf_map_get_next_key(maps.policy6, nullptr, &any) == 0) families |= 2;
  if (families == cfg->policy_families) return Ok{};
  cfg->policy_families = families;
  return Update(maps.config, &kZero, &*cfg, "cannot write config map");
}

Status PolicyAdd(const MapSet& maps, const Prefix& prefix, unsigned action) {
  return PolicyAdd(maps, prefix, action, 0);
}

Status PolicyAdd(const MapSet& maps, const Prefix& prefix, unsigned action, uint32_t flags) {
  if (action == SIPEDGE_POLICY_NONE || action > SIPEDGE_POLICY_TLS_ONLY)
    return sipedge::unexpected(std::string("bad policy action"));
  sipedge_policy_value v{action, flags};
  auto s = prefix.family == 4 ? Update(maps.policy4, &prefix.v4, &v, "cannot write policy4")
                              : Update(maps.policy6, &prefix.v6, &v, "cannot write policy6");
  if (!s) return s;
  return UpdatePolicyFamilies(maps);
}

Status PolicyDel(const MapSet& maps, const Prefix& prefix) {
  int rc = prefix.family == 4 ? bpf_map_delete_elem(maps.policy4, &prefix.v4)
                              : bpf_map_delete_elem(maps.policy6, &prefix.v6);
  if (rc != 0 && errno == ENOENT)
    return sipedge::unexpected(
        std::string("prefix not in policy: ") +
        (prefix.family == 4 ? FormatPrefix(prefix.v4) : FormatPrefix(prefix.v6)));
  if (rc != 0) return sipedge::unexpected(ErrnoMessage("cannot delete policy entry", errno));
  return UpdatePolicyFamilies(maps);
}

template <typename Key>
static Status ListTrie(int fd, std::vector<PolicyEntry>& out) {
  Key key{}, next{};
  const Key* prev = nullptr;
  while (bpf_map_get_next_key(fd, prev, &next) == 0) {
    sipedge_policy_value v{};
    if (bpf_map_lookup_elem(fd, &next, &v) == 0)
      out.push_back({FormatPrefix(next), v.action, v.flags});
    key = next;
    prev = &key;
  }
  if (errno != ENOENT) return sipedge::unexpected(ErrnoMessage("cannot walk policy", errno));
  return Ok{};
}

Result<std::vector<PolicyEntry>> PolicyList(const MapSet& maps) {
  std::vector<PolicyEntry> out;
  if (auto s = ListTrie<sipedge_lpm4_key>(maps.policy4, out); !s)
    return sipedge::unexpected(s.error());
  if (auto s = ListTrie<sipedge_lpm6_key>(maps.policy6, out); !s)
    return sipedge::unexpected(s.error());
  return out;
}

Result<sipedge_config> ReadConfig(const MapSet& maps) {
  sipedge_config cfg{};
  if (bpf_map_lookup_elem(maps.config, &kZero, &cfg) != 0)
    return sipedge::unexpected(ErrnoMessage("cannot read config map", errno));
  return cfg;
}

Status SetDefaultPolicy(const MapSet& maps, unsigned action) {
  if (action != SIPEDGE_POLICY_ALLOW && action != SIPEDGE_POLICY_TLS_ONLY)
    return sipedge::unexpected(std::string("default policy must be allow or tls-only"));
  auto cfg = ReadConfig(maps);
  if (!cfg) return sipedge::unexpected(cfg.error());
  cfg->default_policy = action;
  return Update(maps.config, &kZero, &*cfg, "cannot write config map");
}

constexpr uint64_t kNsPerSecond = 1000000000ull;

Status CheckRate(uint32_t pps, uint32_t burst) {
  if (!pps) return Ok{};
  if (!burst)
    return sipedge::unexpected(std::string("a burst of at least 1 is needed with a rate"));
  // The program charges an integer number of nanoseconds per packet: a rate whose cost
  // rounds by more than 1 % would not be the rate asked for.
  uint64_t cost = kNsPerSecond / pps;
  if (cost == 0 || (kNsPerSecond - cost * pps) * 100 > cost * pps)
    return sipedge::unexpected("rate " + std::to_string(pps) +
                               "/s cannot be honoured within 1 % (at most 100000000/s, or a "
                               "divisor of 1e9 above that)");
  return Ok{};
}

namespace {
void SetPair(uint32_t pps, uint32_t burst, __u64& cost, __u64& cap) {
  cost = pps ? kNsPerSecond / pps : 0;
  cap = cost * (burst ? burst - 1 : 0);
}
}  // namespace

Status SetRateLimit(const MapSet& maps, uint32_t pps, uint32_t burst, uint32_t syn_pps,
                    uint32_t syn_burst) {
  if (auto s = CheckRate(pps, burst); !s) return s;
  if (auto s = CheckRate(syn_pps, syn_burst); !s) return s;
  auto cfg = ReadConfig(maps);
  if (!cfg) return sipedge::unexpected(cfg.error());
  cfg->dgram_pps = pps;
  cfg->dgram_burst = pps ? burst : 0;
  SetPair(pps, burst, cfg->dgram_cost_ns, cfg->dgram_cap_ns);
  cfg->syn_pps = syn_pps;
  cfg->syn_burst = syn_pps ? syn_burst : 0;
  SetPair(syn_pps, syn_burst, cfg->syn_cost_ns, cfg->syn_cap_ns);
  return Update(maps.config, &kZero, &*cfg, "cannot write config map");
}

Status SetNewSourceBudget(const MapSet& maps, uint32_t pps, uint32_t burst) {
  if (auto s = CheckRate(pps, burst); !s) return s;
  auto cfg = ReadConfig(maps);
  if (!cfg) return sipedge::unexpected(cfg.error());
  cfg->newsrc_pps = pps;
  cfg->newsrc_burst = pps ? burst : 0;
  SetPair(pps, burst, cfg->newsrc_cost_ns, cfg->newsrc_cap_ns);
  return Update(maps.config, &kZero, &*cfg, "cannot write config map");
}

Result<std::vector<LimitedSource>> ListLimited(const MapSet& maps, uint64_t window_ns) {
  timespec ts{};
  clock_gettime(CLOCK_MONOTONIC, &ts);  // bpf_ktime_get_ns() is CLOCK_MONOTONIC
  uint64_t now = static_cast<uint64_t>(ts.tv_sec) * kNsPerSecond + ts.tv_nsec;
  std::vector<LimitedSource> out;
  sipedge_bucket_key key{}, next{};
  const sipedge_bucket_key* prev = nullptr;
  while (bpf_map_get_next_key(maps.buckets, prev, &next) == 0) {
    sipedge_bucket b{};
    key = next;
    prev = &key;
    if (bpf_map_lookup_elem(maps.buckets, &next, &b) != 0) continue;
    bool recent = b.dropped && b.last_drop_ns && now - b.last_drop_ns <= window_ns;
    if (!recent && b.tat_ns <= now) continue;
    Prefix p;
    std::string src;
    if (next.family == 4) {
      std::memcpy(p.v4.addr, next.addr, 4);
      p.v4.prefixlen = 32;
      src = FormatPrefix(p.v4);
      src = src.substr(0, src.find('/'));
    } else {
      std::memcpy(p.v6.addr, next.addr, 8);
      p.v6.prefixlen = 64;
      src = FormatPrefix(p.v6);
    }
    out.push_back({src, static_cast<sipedge_bucket_kind>(next.kind), b.dropped,
                   b.last_drop_ns && now > b.last_drop_ns ? now - b.last_drop_ns : 0,
                   b.tat_ns > now ? b.tat_ns - now : 0});
  }
  return out;
}

Status SetSteer(const MapSet& maps, unsigned cls, int cpu) {
  if (cls >= SIPEDGE_CLASS_MAX) return sipedge::unexpected(std::string("bad class"));
  sipedge_steer steer{SIPEDGE_STEER_PASS, 0};
  if (cpu >= 0) {
    uint32_t key = static_cast<uint32_t>(cpu);
    bpf_cpumap_val val{};
    val.qsize = kCpumapQueueSize;
    if (bpf_map_update_elem(maps.cpumap, &key, &val, BPF_ANY) != 0)
      return sipedge::unexpected(ErrnoMessage("cannot add cpu " + std::to_string(cpu), errno));
    steer = {SIPEDGE_STEER_CPU, key};
  }
  return Update(maps.steer, &cls, &steer, "cannot write steer map");
}

Result<sipedge_state> ReadState(const MapSet& maps) {
  sipedge_state st{};
  if (bpf_map_lookup_elem(maps.state, &kZero, &st) != 0)
    return sipedge::unexpected(ErrnoMessage("cannot read state map", errno));
  return st;
}

Status WriteState(const MapSet& maps, const sipedge_state& state) {
  return Update(maps.state, &kZero, &state, "cannot write state map");
}

}  // namespace sipedge::xdp
