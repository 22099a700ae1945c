// The data-plane maps of one sipedge_xdp instance, by file descriptor, and the edits an
// operator makes to them. Works the same on maps fresh from a skeleton (program tests) and on
// maps opened from their pins (sipedgectl).
#pragma once

#include <array>
#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "sipedge/bpf_abi.h"
#include "xdp/prefix.h"
#include "xdp/status.h"

namespace sipedge::xdp {

// Map names as pinned under /sys/fs/bpf/sipedge/<ifname>/ (the BPF name minus "sipedge_").
// policy4b/policy6b are the second set of policy tries (see PolicyReplace); buckets holds
// IPv4 sources, buckets6 IPv6 ones.
inline constexpr std::array<const char*, 13> kMapPinNames = {
    "stats",  "ports", "policy4", "policy6",  "config",   "buckets", "steer",
    "cpumap", "state", "newsrc",  "policy4b", "policy6b", "buckets6"};

// Non-owning: whoever opened the fds closes them (see PinnedMaps).
struct MapSet {
  int stats = -1;
  int ports = -1;
  int policy4 = -1;
  int policy6 = -1;
  int config = -1;
  int buckets = -1;  // IPv4 sources
  int steer = -1;
  int cpumap = -1;
  int state = -1;
  int newsrc = -1;
  int policy4b = -1;  // set B of the policy tries; -1: only set A is used
  int policy6b = -1;
  int buckets6 = -1;  // IPv6 sources
};

// Counters summed over all CPUs.
struct StatsTotals {
  std::array<sipedge_counter, SIPEDGE_CLASS_MAX> classes{};
  std::array<uint64_t, SIPEDGE_DROP_MAX> drops{};
  // Details, also counted in classes/drops above.
  uint64_t keepalive_stun = 0;    // keep-alives that were STUN Binding requests
  uint64_t rate_limited_new = 0;  // rate_limited for want of new-source budget
};

struct PortEntry {
  uint16_t port;
  sipedge_l4 l4;
  unsigned cls;
};

struct PolicyEntry {
  std::string prefix;
  unsigned action;
  uint32_t flags = 0;  // SIPEDGE_POLICY_F_* bits
  uint64_t hits = 0;   // packets this entry decided for
};

// One entry of a policy to load as a whole (PolicyReplace).
struct PolicyRule {
  Prefix prefix;
  unsigned action = SIPEDGE_POLICY_DENY;  // enum sipedge_policy, not NONE
  uint32_t flags = 0;                     // SIPEDGE_POLICY_F_* bits
};

// A source currently over its limit, from the bucket map.
struct LimitedSource {
  std::string source;  // IPv4 address or IPv6 /64
  sipedge_bucket_kind kind;
  uint64_t dropped;             // refusals since the bucket was created
  uint64_t since_last_drop_ns;  // how long ago the latest refusal was
  uint64_t ahead_ns;            // how far the source runs ahead of its schedule
};

// Sums the per-CPU stats entry.
Result<StatsTotals> ReadStats(const MapSet& maps);
// Zeroes every CPU's counters.
Status ResetStats(const MapSet& maps);

// Writes the defaults of a fresh instance: UDP/TCP/SCTP 5060 -> SIP, TCP 5061 -> TLS,
// default policy allow, no rate limits, every class passed.
Status WriteDefaults(const MapSet& maps);

// Sets (cls >= 0) or clears (cls < 0) the class of `l4` port `port`.
Status SetPort(const MapSet& maps, sipedge_l4 l4, uint16_t port, int cls);
// All configured SIP ports, by port then protocol.
Result<std::vector<PortEntry>> ListPorts(const MapSet& maps);

// Adds or replaces a prefix with `action` (enum sipedge_policy, not NONE); not exempt from
// rate limits.
Status PolicyAdd(const MapSet& maps, const Prefix& prefix, unsigned action);
// The same with flags (SIPEDGE_POLICY_F_EXEMPT: exempt from rate limits).
Status PolicyAdd(const MapSet& maps, const Prefix& prefix, unsigned action, uint32_t flags);
// Errors when the prefix is not listed.
Status PolicyDel(const MapSet& maps, const Prefix& prefix);
// The active policy set's entries, IPv4 then IPv6, with their hit counters.
Result<std::vector<PolicyEntry>> PolicyList(const MapSet& maps);
// Replaces the whole policy with `rules` atomically for the program: fills the inactive set
// of tries (policy4b/policy6b or policy4/policy6), then flips sipedge_config.policy_families
// in one write, so every packet meets either the old or the new policy, complete. Hit
// counters of prefixes present in both carry over. The set left inactive is emptied by the
// next replace. Concurrent PolicyAdd/PolicyDel from another process may land in the old set.
// Needs maps.policy4b/policy6b. Returns the number of entries loaded.
Result<size_t> PolicyReplace(const MapSet& maps, const std::vector<PolicyRule>& rules);
// `action` must be SIPEDGE_POLICY_ALLOW or SIPEDGE_POLICY_TLS_ONLY.
Status SetDefaultPolicy(const MapSet& maps, unsigned action);

Result<sipedge_config> ReadConfig(const MapSet& maps);
// pps == 0 disables a limit; otherwise burst must be >= 1 and the rate one the program can
// honour within 1 % (an integer number of nanoseconds per packet).
Status SetRateLimit(const MapSet& maps, uint32_t pps, uint32_t burst, uint32_t syn_pps,
                    uint32_t syn_burst);
// One limit to change; an unset field keeps the configured value.
struct RateLimitChange {
  std::optional<uint32_t> pps, burst, syn_pps, syn_burst, new_pps, new_burst;
};
// Applies `change` to the configured limits (datagram, SYN, new-source budget), checking the
// resulting pairs as SetRateLimit does; nothing is written when one is refused.
Status UpdateRateLimits(const MapSet& maps, const RateLimitChange& change);
// Checks one rate/burst pair as SetRateLimit does; the error says why it cannot be honoured.
Status CheckRate(uint32_t pps, uint32_t burst);
// Budget per CPU for sources that have no bucket yet: new sources per second and burst
// (0 pps: unbounded, every new source gets a bucket). Defaults: kNewSourcePps, kNewSourceBurst.
Status SetNewSourceBudget(const MapSet& maps, uint32_t pps, uint32_t burst);
inline constexpr uint32_t kNewSourcePps = 5000;
inline constexpr uint32_t kNewSourceBurst = 500;
// Sources refused within the last `window_ns` (with how far ahead of schedule they run).
Result<std::vector<LimitedSource>> ListLimited(const MapSet& maps, uint64_t window_ns);

// Steers class `cls` to XDP_PASS (cpu < 0) or to CPUMAP entry `cpu` (creating that entry).
Status SetSteer(const MapSet& maps, unsigned cls, int cpu);

Result<sipedge_state> ReadState(const MapSet& maps);
Status WriteState(const MapSet& maps, const sipedge_state& state);

}  // namespace sipedge::xdp
