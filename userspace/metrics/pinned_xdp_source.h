// The XDP counters of an interface as the exporter reads them: from the maps the classifier
// pinned under /sys/fs/bpf/sipedge/<ifname>/, opened afresh at every scrape so a re-attach
// (new maps) is picked up and nothing stays open between scrapes.
#pragma once

#include <string>

#include "metrics/registry.h"

namespace sipedge::metrics {

// A source returning the summed per-CPU stats of `ifname`'s pinned maps, or nullopt when
// nothing is pinned there or the read fails.
XdpSource pinned_xdp_source(std::string ifname);

}  // namespace sipedge::metrics
