// sipedgectl ratelimit set | show, steer set.
#include <charconv>
#include <iostream>

#include "commands.h"
#include "common.h"
#include "xdp/maps.h"
#include "xdp/names.h"

namespace sipedgectl {

int RateLimitSet(const Options& o) {
  auto pm = OpenMaps(o.iface);
  if (!pm) return Fail(pm.error());
  auto cfg = sipedge::xdp::ReadConfig(pm->maps());
  if (!cfg) return Fail(cfg.error());
  auto in_range = [](int64_t v) { return v >= 0 && v <= UINT32_MAX; };
  if ((o.syn_pps != -1 && !in_range(o.syn_pps)) || (o.syn_burst != -1 && !in_range(o.syn_burst)))
    return Fail("bad SYN limit");
  uint32_t syn_pps = o.syn_pps >= 0 ? static_cast<uint32_t>(o.syn_pps) : cfg->syn_pps;
  uint32_t syn_burst = o.syn_burst >= 0 ? static_cast<uint32_t>(o.syn_burst) : cfg->syn_burst;
  if (auto s = sipedge::xdp::SetRateLimit(pm->maps(), o.pps, o.burst, syn_pps, syn_burst); !s)
    return Fail(s.error());
  return 0;
}

int RateLimitShow(const Options& o) {
  auto pm = OpenMaps(o.iface);
  if (!pm) return Fail(pm.error());
  auto cfg = sipedge::xdp::ReadConfig(pm->maps());
  if (!cfg) return Fail(cfg.error());
  std::cout << "datagrams pps " << cfg->dgram_pps << " burst " << cfg->dgram_burst << "\n"
            << "syn pps " << cfg->syn_pps << " burst " << cfg->syn_burst << "\n";
  return 0;
}

int SteerSet(const Options& o) {
  auto cls = sipedge::xdp::ClassFromName(o.cls);
  if (!cls || *cls == SIPEDGE_CLASS_OTHER || *cls == SIPEDGE_CLASS_FRAGMENT)
    return Fail("bad class: " + o.cls);
  int cpu = -1;
  if (o.target != "pass") {
    auto [end, ec] = std::from_chars(o.target.data(), o.target.data() + o.target.size(), cpu);
    if (o.target.empty() || ec != std::errc() || end != o.target.data() + o.target.size() ||
        cpu < 0)
      return Fail("bad steer target: " + o.target + " (want pass or a CPU number)");
  }
  auto pm = OpenMaps(o.iface);
  if (!pm) return Fail(pm.error());
  if (auto s = sipedge::xdp::SetSteer(pm->maps(), *cls, cpu); !s) return Fail(s.error());
  return 0;
}

}  // namespace sipedgectl
