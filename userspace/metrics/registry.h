// Owns the per-worker counter blocks and turns them into Prometheus series at scrape time:
// a prometheus::Collectable whose Collect() sums every worker's block, adds the XDP
// counters when a source is set, and names everything sipedge_*.
#pragma once

#include <cstddef>
#include <functional>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include <prometheus/collectable.h>
#include <prometheus/metric_family.h>

#include "metrics/worker_metrics.h"
#include "xdp/maps.h"

namespace sipedge::metrics {

// The XDP classifier's counters summed over CPUs (per class and per drop reason).
using XdpTotals = xdp::StatsTotals;
// Reads the XDP counters at scrape time; nullopt when they cannot be read (nothing attached).
using XdpSource = std::function<std::optional<XdpTotals>()>;

class Registry : public prometheus::Collectable {
 public:
  // One block per worker, all allocated now (addresses stay valid for the registry's life).
  // `policy_rule_names[i]` is the `rule` label of policy rule index i (at most
  // kMaxPolicyRules are kept).
  explicit Registry(size_t workers, std::vector<std::string_view> policy_rule_names);

  Registry(const Registry&) = delete;
  Registry& operator=(const Registry&) = delete;

  // Worker `i`'s block (i < workers()); only that worker writes to it.
  WorkerMetrics& worker(size_t i) { return workers_[i]; }
  size_t workers() const { return worker_count_; }

  // Sets (or clears, with an empty function) where the XDP counters come from.
  void set_xdp_source(XdpSource source);

  // Replaces the configured TLS certificates reported as sipedge_tls_certificate_expiry_seconds
  // (path, notAfter in unix seconds); called at start-up and on every reload.
  void set_tls_certificates(std::vector<std::pair<std::string, int64_t>> certificates);

  // Every series, summed over workers now. Safe concurrently with the workers' increments.
  std::vector<prometheus::MetricFamily> Collect() const override;
  // Collect() in the Prometheus text exposition format 0.0.4.
  std::string render_text() const;

 private:
  size_t worker_count_;
  std::unique_ptr<WorkerMetrics[]> workers_;
  std::vector<std::string> policy_rule_names_;
  mutable std::mutex xdp_mutex_;  // scrape threads vs. set_xdp_source, never the hot path
  XdpSource xdp_source_;
  std::vector<std::pair<std::string, int64_t>> tls_certificates_;  // under xdp_mutex_
};

}  // namespace sipedge::metrics
