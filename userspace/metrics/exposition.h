// Turns summed counters into Prometheus metric families with their names, HELP texts and
// labels. Pure functions of their inputs; Registry::Collect() calls them at scrape time.
#pragma once

#include <array>
#include <cstdint>
#include <optional>
#include <string>
#include <vector>
#include <utility>

#include <prometheus/metric_family.h>

#include "metrics/counter_layout.h"
#include "xdp/maps.h"

namespace sipedge::metrics {

// Every worker's slots added together.
using CounterTotals = std::array<uint64_t, slot::kCount>;

// What a scrape reports besides the counters.
struct ExpositionContext {
  size_t workers = 0;
  const std::vector<std::string>* policy_rule_names = nullptr;
  std::string_view version;
  bool xdp_configured = false;          // an XDP source is set
  std::optional<xdp::StatsTotals> xdp;  // its reading, if it succeeded
  // Configured TLS certificates (path, notAfter in unix seconds) and the wall clock now.
  const std::vector<std::pair<std::string, int64_t>>* tls_certificates = nullptr;
  int64_t now_unix = 0;
};

// The router's series. Families whose labels multiply (requests, responses, stateless
// replies) carry only the label sets seen so far; small enumerations (parse failures, drops,
// outcomes, policy rules) carry every value, zeros included.
std::vector<prometheus::MetricFamily> router_families(const CounterTotals& totals,
                                                      const ExpositionContext& context);

// sipedge_xdp_up, and when the reading succeeded sipedge_xdp_packets_total{class},
// sipedge_xdp_bytes_total{class}, sipedge_xdp_drops_total{reason}.
void append_xdp_families(const std::optional<xdp::StatsTotals>& xdp,
                         std::vector<prometheus::MetricFamily>* out);

}  // namespace sipedge::metrics
