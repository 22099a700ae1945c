// What every worker reads on every message and the operator can change with SIGHUP: the
// policy, the static routes, who "this proxy" is, Record-Route. Immutable once published;
// a reload builds a new snapshot and the workers pick it up between loop turns, so a
// message is always handled under exactly one configuration and no packet is dropped.
#pragma once

#include <atomic>
#include <cstdint>
#include <memory>
#include <mutex>
#include <string>
#include <vector>

#include "config/daemon_config.h"
#include "policy/policy.h"
#include "proxy/stateless_proxy.h"
#include "resolve/resolve_types.h"
#include "sipedge/expected.h"
#include "tls/client_context.h"
#include "tls/server_context.h"

namespace sipedge::router {

struct StaticRoute {
  std::string domain;  // lower-case
  std::string next_hop_uri;
  resolve::ResolveRequest request;  // the next hop's RFC 3263 request
};

struct RouterSnapshot {
  explicit RouterSnapshot(policy::Policy p) : policy(std::move(p)) {}
  config::DaemonConfig config;
  policy::Policy policy;
  proxy::LocalIdentity me;
  std::vector<StaticRoute> routes;  // sorted by domain
  // TLS, loaded from the files when the snapshot is built (start-up, SIGHUP): one server
  // context per config listener (null for non-TLS ones; identical listeners share one), and
  // the client context for TLS next hops (null when [tls] enabled = false). Connections hold
  // the context they were made with, so a reload rotates certificates for new connections
  // and leaves established ones alone.
  std::vector<std::shared_ptr<const tls::ServerContext>> tls_servers;
  std::shared_ptr<const tls::ClientContext> tls_client;
  // Every configured certificate and its notAfter (unix seconds), for the expiry metric.
  std::vector<std::pair<std::string, int64_t>> tls_certificates;

  // The static route for `host` (case-insensitive, trailing dot ignored), or nullptr.
  const StaticRoute* find_route(std::string_view host) const;
};

// Builds a snapshot from a validated config, loading TLS certificates and keys; the error
// names the bad policy entry, route or TLS file (with the config line that set it).
// `branch_key` (from the edge's secret, which a reload does not change) seals our branches.
Expected<std::shared_ptr<const RouterSnapshot>, std::string> build_snapshot(
    const config::DaemonConfig& config, const trust::BranchKey& branch_key);

// The published snapshot. Workers check generation() once per loop turn (a relaxed load)
// and only take the mutex when it moved, i.e. after a reload: never on the message path.
class SnapshotSlot {
 public:
  void publish(std::shared_ptr<const RouterSnapshot> s) {
    std::lock_guard<std::mutex> g(mu_);
    current_ = std::move(s);
    generation_.fetch_add(1, std::memory_order_release);
  }
  std::shared_ptr<const RouterSnapshot> load() const {
    std::lock_guard<std::mutex> g(mu_);
    return current_;
  }
  uint64_t generation() const { return generation_.load(std::memory_order_acquire); }

 private:
  mutable std::mutex mu_;
  std::shared_ptr<const RouterSnapshot> current_;
  std::atomic<uint64_t> generation_{0};
};

}  // namespace sipedge::router
