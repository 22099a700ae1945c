// What `sipedgectl top` shows: rates between two readings of the pinned XDP counters and of the
// rate-limited sources, laid out as lines that fit a terminal. Pure: no I/O, no terminal codes.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "xdp/maps.h"

namespace sipedgectl {

// One reading of the data plane.
struct TopSample {
  sipedge::xdp::StatsTotals totals;
  std::vector<sipedge::xdp::LimitedSource> limited;
  uint64_t taken_ns = 0;  // CLOCK_MONOTONIC
};

// What the header line says about the attachment.
struct TopHeader {
  std::string iface;
  std::string mode;  // "native", "generic", "none"
  bool attached = false;
  double interval_s = 1;
  std::string clock;         // wall-clock time of the frame, "HH:MM:SS"
  bool interactive = false;  // mention the key that quits
};

// The lines of one frame, from `before` to `after` (after.taken_ns > before.taken_ns), each at
// most `width` columns (>= 20); at most `height` lines (0: no limit). Classes and drop
// reasons are listed in full; the rate-limited sources are as many as fit, busiest first,
// and a last line counts the ones left out.
std::vector<std::string> RenderTop(const TopHeader& header, const TopSample& before,
                                   const TopSample& after, int width, int height);

}  // namespace sipedgectl
