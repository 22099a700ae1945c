// RFC 2782 target selection: priority ascending, weighted random order within a priority.
#pragma once

#include <random>
#include <vector>

#include "resolve/dns_records.h"

namespace sipedge::resolve {

// True when the RRset says "decidedly not available at this domain" (RFC 2782: a single
// record whose target is ".").
bool srv_service_unavailable(const std::vector<SrvRecord>& records);

// Returns the records in the order to try them: lowest priority first; within a priority,
// repeatedly picks by weight (weight-0 records first in the running sum, so they are chosen
// only when the draw is 0, or uniformly when all weights are 0). "." targets are dropped.
std::vector<SrvRecord> order_srv_records(const std::vector<SrvRecord>& records,
                                         std::mt19937_64& rng);

}  // namespace sipedge::resolve
