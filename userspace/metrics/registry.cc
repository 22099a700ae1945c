#include "metrics/registry.h"

#include <ctime>
#include <sstream>
#include <utility>

#include <prometheus/text_serializer.h>

#include "metrics/exposition.h"

#ifndef SIPEDGE_VERSION
#define SIPEDGE_VERSION "unknown"
#endif

namespace sipedge::metrics {

Registry::Registry(size_t workers, std::vector<std::string_view> policy_rule_names)
    : worker_count_(workers), workers_(std::make_unique<WorkerMetrics[]>(workers)) {
  for (std::string_view name : policy_rule_names) {
    if (policy_rule_names_.size() == kMaxPolicyRules) break;
    policy_rule_names_.emplace_back(name);
  }
}

void Registry::set_xdp_source(XdpSource source) {
  std::lock_guard lock(xdp_mutex_);
  xdp_source_ = std::move(source);
}

std::vector<prometheus::MetricFamily> Registry::Collect() const {
  CounterTotals totals{};
  for (size_t w = 0; w < worker_count_; ++w)
    for (size_t i = 0; i < slot::kCount; ++i) totals[i] += workers_[w].read(i);

  ExpositionContext context;
  context.workers = worker_count_;
  context.policy_rule_names = &policy_rule_names_;
  context.version = SIPEDGE_VERSION;
  XdpSource source;
  std::vector<std::pair<std::string, int64_t>> certificates;
  {
    std::lock_guard lock(xdp_mutex_);
    source = xdp_source_;
    certificates = tls_certificates_;
  }
  context.tls_certificates = &certificates;
  context.now_unix = static_cast<int64_t>(std::time(nullptr));
  if (source) {
    context.xdp_configured = true;
    context.xdp = source();
  }
  return router_families(totals, context);
}

void Registry::set_tls_certificates(std::vector<std::pair<std::string, int64_t>> certificates) {
  std::lock_guard lock(xdp_mutex_);
  tls_certificates_ = std::move(certificates);
}

std::string Registry::render_text() const {
  std::ostringstream out;
  prometheus::TextSerializer().Serialize(out, Collect());
  return out.str();
}

}  // namespace sipedge::metrics
