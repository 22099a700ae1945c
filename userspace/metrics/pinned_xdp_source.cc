#include "metrics/pinned_xdp_source.h"

#include <utility>

#include "xdp/pins.h"

namespace sipedge::metrics {

XdpSource pinned_xdp_source(std::string ifname) {
  return [ifname = std::move(ifname)]() -> std::optional<XdpTotals> {
    auto pins = xdp::PinnedMaps::Open(ifname);
    if (!pins) return std::nullopt;
    auto totals = xdp::ReadStats(pins->maps());
    if (!totals) return std::nullopt;
    return *totals;
  };
}

}  // namespace sipedge::metrics
