// sipedgectl ratelimit set | show | limited, steer set.
#include <charconv>
#include <cstdio>
#include <iostream>

#include "commands.h"
#include "common.h"
#include "sipedge/json_writer.h"
#include "xdp/maps.h"
#include "xdp/names.h"

namespace sipedgectl {
namespace {

// -1 (not given) -> unset; otherwise the value, which must fit 32 bits.
bool Pick(int64_t v, std::optional<uint32_t>& out) {
  if (v == -1) return true;
  if (v < 0 || v > UINT32_MAX) return false;
  out = static_cast<uint32_t>(v);
  return true;
}

const char* KindName(sipedge_bucket_kind k) { return k == SIPEDGE_BUCKET_SYN ? "syn" : "dgram"; }

}  // namespace

int RateLimitSet(const Options& o) {
  sipedge::xdp::RateLimitChange change;
  if (!Pick(o.pps, change.pps) || !Pick(o.burst, change.burst) ||
      !Pick(o.syn_pps, change.syn_pps) || !Pick(o.syn_burst, change.syn_burst) ||
      !Pick(o.new_pps, change.new_pps) || !Pick(o.new_burst, change.new_burst))
    return Fail("bad limit: values are 0 .. 4294967295");
  if (!change.pps && !change.burst && !change.syn_pps && !change.syn_burst && !change.new_pps &&
      !change.new_burst)
    return Fail(
        "nothing to set: give --pps, --burst, --syn-pps, --syn-burst, --new-pps or "
        "--new-burst");
  auto pm = OpenMaps(o.iface);
  if (!pm) return Fail(pm.error());
  if (auto s = sipedge::xdp::UpdateRateLimits(pm->maps(), change); !s) return Fail(s.error());
  return 0;
}

int RateLimitShow(const Options& o) {
  auto pm = OpenMaps(o.iface);
  if (!pm) return Fail(pm.error());
  auto cfg = sipedge::xdp::ReadConfig(pm->maps());
  if (!cfg) return Fail(cfg.error());
  if (o.json) {
    sipedge::JsonWriter j;
    auto pair = [&j](const char* name, uint32_t pps, uint32_t burst) {
      j.key(name).begin_object().key("pps").value(pps).key("burst").value(burst).end_object();
    };
    j.begin_object();
    pair("datagrams", cfg->dgram_pps, cfg->dgram_burst);
    pair("syn", cfg->syn_pps, cfg->syn_burst);
    pair("new_sources_per_cpu", cfg->newsrc_pps, cfg->newsrc_burst);
    j.end_object();
    std::cout << j.str() << "\n";
    return 0;
  }
  std::cout << "datagrams pps " << cfg->dgram_pps << " burst " << cfg->dgram_burst << "\n"
            << "syn pps " << cfg->syn_pps << " burst " << cfg->syn_burst << "\n"
            << "new sources per cpu pps " << cfg->newsrc_pps << " burst " << cfg->newsrc_burst
            << "\n";
  return 0;
}

int RateLimitLimited(const Options& o) {
  if (!(o.window_s >= 0) || o.window_s > 86400) return Fail("bad window: 0 .. 86400 seconds");
  auto pm = OpenMaps(o.iface);
  if (!pm) return Fail(pm.error());
  auto list = sipedge::xdp::ListLimited(pm->maps(), static_cast<uint64_t>(o.window_s * 1e9));
  if (!list) return Fail(list.error());
  if (o.json) {
    sipedge::JsonWriter j;
    j.begin_array();
    for (const auto& l : *list) {
      j.begin_object().key("source").value(l.source).key("kind").value(KindName(l.kind));
      j.key("dropped")
          .value(l.dropped)
          .key("last_drop_ago_ms")
          .value(l.since_last_drop_ns / 1000000);
      j.key("ahead_ms").value(l.ahead_ns / 1000000).end_object();
    }
    j.end_array();
    std::cout << j.str() << "\n";
    return 0;
  }
  std::printf("%-28s %-6s %14s %16s %10s\n", "source", "kind", "dropped", "last drop ago", "ahead");
  for (const auto& l : *list)
    std::printf("%-28s %-6s %14llu %13.1f s %8.1f ms\n", l.source.c_str(), KindName(l.kind),
                static_cast<unsigned long long>(l.dropped), l.since_last_drop_ns / 1e9,
                l.ahead_ns / 1e6);
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
