#include "xdp/skeleton.h"

#include <bpf/libbpf.h>
#include <xdp/libxdp.h>

#include <cstdarg>
#include <cstdio>
#include <cstdlib>

namespace sipedge::xdp {
namespace {

int VerbosePrint(enum libbpf_print_level, const char* fmt, va_list ap) {
  if (!std::getenv("SIPEDGE_VERBOSE")) return 0;
  return std::vfprintf(stderr, fmt, ap);
}

int VerboseXdpPrint(enum libxdp_print_level, const char* fmt, va_list ap) {
  if (!std::getenv("SIPEDGE_VERBOSE")) return 0;
  return std::vfprintf(stderr, fmt, ap);
}

}  // namespace

void QuietLibraries() {
  libbpf_set_print(VerbosePrint);
  libxdp_set_print(VerboseXdpPrint);
}

Result<Skeleton> OpenSkeleton() {
  Skeleton skel(sipedge_xdp_bpf__open());
  if (!skel) return sipedge::unexpected(ErrnoMessage("cannot open BPF object", errno));
  int cpus = libbpf_num_possible_cpus();
  if (cpus <= 0) return sipedge::unexpected(ErrnoMessage("cannot count CPUs", -cpus));
  if (int rc = bpf_map__set_max_entries(skel->maps.sipedge_cpumap, cpus); rc != 0)
    return sipedge::unexpected(ErrnoMessage("cannot size cpumap", rc));
  return skel;
}

Result<Skeleton> LoadPrivateInstance() {
  auto skel = OpenSkeleton();
  if (!skel) return skel;
  if (int rc = sipedge_xdp_bpf__load(skel->get()); rc != 0)
    return sipedge::unexpected(ErrnoMessage("BPF unavailable: cannot load sipedge_xdp", rc));
  if (auto s = WriteDefaults(MapsOf(**skel)); !s) return sipedge::unexpected(s.error());
  return skel;
}

MapSet MapsOf(const sipedge_xdp_bpf& skel) {
  MapSet m;
  m.stats = bpf_map__fd(skel.maps.sipedge_stats);
  m.ports = bpf_map__fd(skel.maps.sipedge_ports);
  m.policy4 = bpf_map__fd(skel.maps.sipedge_policy4);
  m.policy6 = bpf_map__fd(skel.maps.sipedge_policy6);
  m.config = bpf_map__fd(skel.maps.sipedge_config);
  m.buckets = bpf_map__fd(skel.maps.sipedge_buckets);
  m.steer = bpf_map__fd(skel.maps.sipedge_steer);
  m.cpumap = bpf_map__fd(skel.maps.sipedge_cpumap);
  m.state = bpf_map__fd(skel.maps.sipedge_state);
  m.newsrc = bpf_map__fd(skel.maps.sipedge_newsrc);
  m.policy4b = bpf_map__fd(skel.maps.sipedge_policy4b);
  m.policy6b = bpf_map__fd(skel.maps.sipedge_policy6b);
  m.buckets6 = bpf_map__fd(skel.maps.sipedge_buckets6);
  return m;
}

std::array<NamedMap, kMapPinNames.size()> NamedMaps(const sipedge_xdp_bpf& skel) {
  return {{{skel.maps.sipedge_stats, kMapPinNames[0]},
           {skel.maps.sipedge_ports, kMapPinNames[1]},
           {skel.maps.sipedge_policy4, kMapPinNames[2]},
           {skel.maps.sipedge_policy6, kMapPinNames[3]},
           {skel.maps.sipedge_config, kMapPinNames[4]},
           {skel.maps.sipedge_buckets, kMapPinNames[5]},
           {skel.maps.sipedge_steer, kMapPinNames[6]},
           {skel.maps.sipedge_cpumap, kMapPinNames[7]},
           {skel.maps.sipedge_state, kMapPinNames[8]},
           {skel.maps.sipedge_newsrc, kMapPinNames[9]},
           {skel.maps.sipedge_policy4b, kMapPinNames[10]},
           {skel.maps.sipedge_policy6b, kMapPinNames[11]},
           {skel.maps.sipedge_buckets6, kMapPinNames[12]}}};
}

}  // namespace sipedge::xdp
