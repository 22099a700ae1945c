// Opening the sipedge_xdp skeleton ready to load (CPUMAP sized to the machine), and the
// MapSet view of its maps. Shared by the loader, the program tests and the benchmark.
#pragma once

#include <memory>

#include "sipedge_xdp.skel.h"
#include "xdp/maps.h"
#include "xdp/status.h"

namespace sipedge::xdp {

struct SkeletonDeleter {
  void operator()(sipedge_xdp_bpf* skel) const { sipedge_xdp_bpf__destroy(skel); }
};
using Skeleton = std::unique_ptr<sipedge_xdp_bpf, SkeletonDeleter>;

// Opens (does not load) the embedded object, with the CPUMAP sized to the possible CPUs.
Result<Skeleton> OpenSkeleton();
// Opens and loads a private (unpinned) instance and writes the defaults into it.
Result<Skeleton> LoadPrivateInstance();
// The skeleton's map fds; valid once loaded.
MapSet MapsOf(const sipedge_xdp_bpf& skel);
// Each map with the pin name it has under /sys/fs/bpf/sipedge/<ifname>/ (kMapPinNames order).
struct NamedMap {
  bpf_map* map;
  const char* pin_name;
};
std::array<NamedMap, kMapPinNames.size()> NamedMaps(const sipedge_xdp_bpf& skel);

// Routes libbpf/libxdp diagnostics to stderr only when SIPEDGE_VERBOSE is set: the loader
// probes features whose expected failures would otherwise look like errors.
void QuietLibraries();

}  // namespace sipedge::xdp
