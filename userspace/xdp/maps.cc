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

namespace {

// The tries of one policy set.
struct PolicySet {
  int v4, v6;
};

bool HasSetB(const MapSet& maps) { return maps.policy4b >= 0 && maps.policy6b >= 0; }

PolicySet SetOf(const MapSet& maps, bool set_b) {
  return set_b ? PolicySet{maps.policy4b, maps.policy6b} : PolicySet{maps.policy4, maps.policy6};
}

bool ActiveIsB(const MapSet& maps, const sipedge_config& cfg) {
  return HasSetB(maps) && (cfg.policy_families & SIPEDGE_POLICY_SET_B);
}

Result<PolicySet> ActiveSet(const MapSet& maps) {
  auto cfg = ReadConfig(maps);
  if (!cfg) return sipedge::unexpected(cfg.error());
  return SetOf(maps, ActiveIsB(maps, *cfg));
}

uint32_t FamiliesOf(const PolicySet& set) {
  sipedge_lpm6_key any{};  // large enough for either key
  uint32_t families = 0;
  if (bpf_map_get_next_key(set.v4, nullptr, &any) == 0) families |= SIPEDGE_POLICY_HAS_V4;
  if (bpf_map_get_next_key(set.v6, nullptr, &any) == 0) families |= SIPEDGE_POLICY_HAS_V6;
  return families;
}

// The policy word after a change of the tries: `families` (family and set bits) with the
// generation of `old` advanced, so that the program's cached "unlisted" verdicts expire. The
// generation skips the value that would make the whole word 0 ("nothing cached").
uint32_t NextPolicyWord(uint32_t old, uint32_t families) {
  uint32_t gen = (old & ~(SIPEDGE_POLICY_GEN_ONE - 1)) + SIPEDGE_POLICY_GEN_ONE;
  if (gen == 0) gen = SIPEDGE_POLICY_GEN_ONE;
  return gen | families;
}

// Tells the program which tries of the active set hold entries, so that it skips lookups in
// an empty one, and that the tries changed. Called after every change of the active set.
Status UpdatePolicyFamilies(const MapSet& maps) {
  auto cfg = ReadConfig(maps);
  if (!cfg) return sipedge::unexpected(cfg.error());
  bool set_b = ActiveIsB(maps, *cfg);
  uint32_t families = FamiliesOf(SetOf(maps, set_b)) | (set_b ? SIPEDGE_POLICY_SET_B : 0);
  cfg->policy_families = NextPolicyWord(cfg->policy_families, families);
  return Update(maps.config, &kZero, &*cfg, "cannot write config map");
}

// Deletes every entry of one trie.
template <typename Key>
Status ClearTrie(int fd) {
  Key key{};
  // Always restart from the first key: deleting invalidates the iteration cursor.
  while (bpf_map_get_next_key(fd, nullptr, &key) == 0) {
    if (bpf_map_delete_elem(fd, &key) != 0 && errno != ENOENT)
      return sipedge::unexpected(ErrnoMessage("cannot clear policy", errno));
  }
  return Ok{};
}

// Writes `v` under `key` in `fd`, keeping the hit counter of an entry already there (or of
// the same prefix in `carry_fd`, when given).
template <typename Key>
Status PutEntry(int fd, const Key& key, sipedge_policy_value v, int carry_fd) {
  sipedge_policy_value old{};
  if (bpf_map_lookup_elem(carry_fd >= 0 ? carry_fd : fd, &key, &old) == 0) v.hits = old.hits;
  return Update(fd, &key, &v, "cannot write policy entry");
}

}  // namespace

Status PolicyAdd(const MapSet& maps, const Prefix& prefix, unsigned action) {
  return PolicyAdd(maps, prefix, action, 0);
}

Status PolicyAdd(const MapSet& maps, const Prefix& prefix, unsigned action, uint32_t flags) {
  if (action == SIPEDGE_POLICY_NONE || action > SIPEDGE_POLICY_TLS_ONLY)
    return sipedge::unexpected(std::string("bad policy action"));
  auto set = ActiveSet(maps);
  if (!set) return sipedge::unexpected(set.error());
  sipedge_policy_value v{action, flags, 0};
  auto s = prefix.family == 4 ? PutEntry(set->v4, prefix.v4, v, -1)
                              : PutEntry(set->v6, prefix.v6, v, -1);
  if (!s) return s;
  return UpdatePolicyFamilies(maps);
}

Status PolicyDel(const MapSet& maps, const Prefix& prefix) {
  auto set = ActiveSet(maps);
  if (!set) return sipedge::unexpected(set.error());
  int rc = prefix.family == 4 ? bpf_map_delete_elem(set->v4, &prefix.v4)
                              : bpf_map_delete_elem(set->v6, &prefix.v6);
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
      out.push_back({FormatPrefix(next), v.action, v.flags, v.hits});
    key = next;
    prev = &key;
  }
  if (errno != ENOENT) return sipedge::unexpected(ErrnoMessage("cannot walk policy", errno));
  return Ok{};
}

Result<std::vector<PolicyEntry>> PolicyList(const MapSet& maps) {
  auto set = ActiveSet(maps);
  if (!set) return sipedge::unexpected(set.error());
  std::vector<PolicyEntry> out;
  if (auto s = ListTrie<sipedge_lpm4_key>(set->v4, out); !s) return sipedge::unexpected(s.error());
  if (auto s = ListTrie<sipedge_lpm6_key>(set->v6, out); !s) return sipedge::unexpected(s.error());
  return out;
}

Result<size_t> PolicyReplace(const MapSet& maps, const std::vector<PolicyRule>& rules) {
  if (!HasSetB(maps)) return sipedge::unexpected(std::string("no second policy set to load into"));
  for (const auto& r : rules) {
    if (r.action == SIPEDGE_POLICY_NONE || r.action > SIPEDGE_POLICY_TLS_ONLY)
      return sipedge::unexpected(std::string("bad policy action"));
    if (r.prefix.family != 4 && r.prefix.family != 6)
      return sipedge::unexpected(std::string("bad prefix family"));
  }
  auto cfg = ReadConfig(maps);
  if (!cfg) return sipedge::unexpected(cfg.error());
  bool active_b = ActiveIsB(maps, *cfg);
  PolicySet active = SetOf(maps, active_b), next = SetOf(maps, !active_b);
  // The inactive set may still hold the policy before the previous replace: packets that
  // read the old selector have long finished (a program run is microseconds).
  if (auto s = ClearTrie<sipedge_lpm4_key>(next.v4); !s) return sipedge::unexpected(s.error());
  if (auto s = ClearTrie<sipedge_lpm6_key>(next.v6); !s) return sipedge::unexpected(s.error());
  for (const auto& r : rules) {
    sipedge_policy_value v{r.action, r.flags, 0};
    auto s = r.prefix.family == 4 ? PutEntry(next.v4, r.prefix.v4, v, active.v4)
                                  : PutEntry(next.v6, r.prefix.v6, v, active.v6);
    if (!s) return sipedge::unexpected(s.error());
  }
  // The flip: one config write carries the new set bit and that set's families together.
  cfg = ReadConfig(maps);
  if (!cfg) return sipedge::unexpected(cfg.error());
  cfg->policy_families = NextPolicyWord(cfg->policy_families,
                                        FamiliesOf(next) | (active_b ? 0 : SIPEDGE_POLICY_SET_B));
  if (auto s = Update(maps.config, &kZero, &*cfg, "cannot write config map"); !s)
    return sipedge::unexpected(s.error());
  return rules.size();
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

Status UpdateRateLimits(const MapSet& maps, const RateLimitChange& change) {
  auto cfg = ReadConfig(maps);
  if (!cfg) return sipedge::unexpected(cfg.error());
  auto pick = [](const std::optional<uint32_t>& v, uint32_t current) { return v ? *v : current; };
  uint32_t pps = pick(change.pps, cfg->dgram_pps);
  uint32_t burst = pick(change.burst, cfg->dgram_burst);
  uint32_t syn_pps = pick(change.syn_pps, cfg->syn_pps);
  uint32_t syn_burst = pick(change.syn_burst, cfg->syn_burst);
  uint32_t new_pps = pick(change.new_pps, cfg->newsrc_pps);
  uint32_t new_burst = pick(change.new_burst, cfg->newsrc_burst);
  if (auto s = CheckRate(pps, burst); !s) return sipedge::unexpected("datagrams: " + s.error());
  if (auto s = CheckRate(syn_pps, syn_burst); !s) return sipedge::unexpected("syn: " + s.error());
  if (auto s = CheckRate(new_pps, new_burst); !s)
    return sipedge::unexpected("new sources: " + s.error());
  cfg->dgram_pps = pps;
  cfg->dgram_burst = pps ? burst : 0;
  SetPair(pps, burst, cfg->dgram_cost_ns, cfg->dgram_cap_ns);
  cfg->syn_pps = syn_pps;
  cfg->syn_burst = syn_pps ? syn_burst : 0;
  SetPair(syn_pps, syn_burst, cfg->syn_cost_ns, cfg->syn_cap_ns);
  cfg->newsrc_pps = new_pps;
  cfg->newsrc_burst = new_pps ? new_burst : 0;
  SetPair(new_pps, new_burst, cfg->newsrc_cost_ns, cfg->newsrc_cap_ns);
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

namespace {

uint64_t MonotonicNs() {
  timespec ts{};
  clock_gettime(CLOCK_MONOTONIC, &ts);  // bpf_ktime_get_ns() is CLOCK_MONOTONIC
  return static_cast<uint64_t>(ts.tv_sec) * kNsPerSecond + ts.tv_nsec;
}

// Appends the limited sources of one bucket map; `name` formats a key as the source.
template <typename Key, typename Name>
void ListBuckets(int fd, uint64_t now, uint64_t window_ns, Name name,
                 std::vector<LimitedSource>& out) {
  if (fd < 0) return;
  Key key{}, next{};
  const Key* prev = nullptr;
  while (bpf_map_get_next_key(fd, prev, &next) == 0) {
    sipedge_bucket b{};
    key = next;
    prev = &key;
    if (bpf_map_lookup_elem(fd, &next, &b) != 0) continue;
    // Being limited now means refused lately. Running ahead of schedule alone is not it: a
    // source well within its rate is ahead by an interval (or a lease) after every packet.
    // (A drop may land after `now` was read, while the map is walked.)
    bool recent =
        b.dropped && b.last_drop_ns && (b.last_drop_ns >= now || now - b.last_drop_ns <= window_ns);
    if (!recent) continue;
    out.push_back({name(next), static_cast<sipedge_bucket_kind>(next.kind), b.dropped,
                   b.last_drop_ns && now > b.last_drop_ns ? now - b.last_drop_ns : 0,
                   b.tat_ns > now ? b.tat_ns - now : 0});
  }
}

}  // namespace

Result<std::vector<LimitedSource>> ListLimited(const MapSet& maps, uint64_t window_ns) {
  uint64_t now = MonotonicNs();
  std::vector<LimitedSource> out;
  ListBuckets<sipedge_bucket4_key>(
      maps.buckets, now, window_ns,
      [](const sipedge_bucket4_key& k) {
        sipedge_lpm4_key p{32, {}};
        std::memcpy(p.addr, k.addr, 4);
        std::string s = FormatPrefix(p);
        return s.substr(0, s.find('/'));
      },
      out);
  ListBuckets<sipedge_bucket6_key>(
      maps.buckets6, now, window_ns,
      [](const sipedge_bucket6_key& k) {
        sipedge_lpm6_key p{64, {}};
        std::memcpy(p.addr, k.addr, 8);
        return FormatPrefix(p);
      },
      out);
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
