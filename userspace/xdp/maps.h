// The data-plane maps of one sipedge_xdp instance, by file descriptor, and the edits an
// operator makes to them. Works the same on maps fresh from a skeleton (program tests) and on
// maps opened from their pins (sipedgectl).
#pragma once

#include <array>
#include <cstdint>
#include <string>
#include <vector>

#include "sipedge/bpf_abi.h"
#include "xdp/prefix.h"
#include "xdp/status.h"

namespace sipedge::xdp {

// Map names as pinned under /sys/fs/bpf/sipedge/<ifname>/ (the BPF name minus "sipedge_").
inline constexpr std::array<const char*, 9> kMapPinNames = {
    "stats", "ports", "policy4", "policy6", "config", "buckets", "steer", "cpumap", "state"};

// Non-owning: whoever opened the fds closes them (see PinnedMaps).
struct MapSet {
  int stats = -1;
  int ports = -1;
  int policy4 = -1;
  int policy6 = -1;
  int config = -1;
  int buckets = -1;
  int steer = -1;
  int cpumap = -1;
  int state = -1;
};

// Counters summed over all CPUs.
struct StatsTotals {
  std::array<sipedge_counter, SIPEDGE_CLASS_MAX> classes{};
  std::array<uint64_t, SIPEDGE_DROP_MAX> drops{};
};

struct PortEntry {
  uint16_t port;
  sipedge_l4 l4;
  unsigned cls;
};

struct PolicyEntry {
  std::string prefix;
  unsigned action;
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

Status PolicyAdd(const MapSet& maps, const Prefix& prefix, unsigned action);
// Errors when the prefix is not listed.
Status PolicyDel(const MapSet& maps, const Prefix& prefix);
Result<std::vector<PolicyEntry>> PolicyList(const MapSet& maps);
// `action` must be SIPEDGE_POLICY_ALLOW or SIPEDGE_POLICY_TLS_ONLY.
Status SetDefaultPolicy(const MapSet& maps, unsigned action);

Result<sipedge_config> ReadConfig(const MapSet& maps);
// pps == 0 disables a limit; otherwise burst must be >= 1.
Status SetRateLimit(const MapSet& maps, uint32_t pps, uint32_t burst, uint32_t syn_pps,
                    uint32_t syn_burst);

// Steers class `cls` to XDP_PASS (cpu < 0) or to CPUMAP entry `cpu` (creating that entry).
Status SetSteer(const MapSet& maps, unsigned cls, int cpu);

Result<sipedge_state> ReadState(const MapSet& maps);
Status WriteState(const MapSet& maps, const sipedge_state& state);

}  // namespace sipedge::xdp
