// The sipedge daemon: configuration snapshot, shared DNS cache, metrics, XDP data plane and
// one worker thread per core; signals handled on the main thread (SIGTERM/SIGINT drain and
// exit 0, SIGHUP reloads policy, routes and trusted sets).
#pragma once

#include <functional>
#include <memory>
#include <string>
#include <thread>
#include <vector>

#include "config/daemon_config.h"
#include "metrics/exporter.h"
#include "metrics/registry.h"
#include "router/worker.h"
#include "router/xdp_attachment.h"
#include "sipedge/expected.h"
#include "trust/branch_mac.h"

namespace sipedge::router {

class Daemon {
 public:
  // Reloads the configuration for SIGHUP (the file again, with the command line's overrides).
  using Reloader = std::function<Expected<config::DaemonConfig, std::string>()>;

  // Starts everything; the error says what could not start (bind, XDP, DNS servers, ...).
  // Signals must already be blocked in the calling thread (block_signals()).
  static Expected<std::unique_ptr<Daemon>, std::string> start(const config::DaemonConfig& config,
                                                              Reloader reload);
  // Stops the workers (draining) before anything they use goes away.
  ~Daemon();
  Daemon(const Daemon&) = delete;
  Daemon& operator=(const Daemon&) = delete;

  // Waits for signals until SIGTERM/SIGINT; returns the process exit code.
  int run();

  // Blocks SIGTERM, SIGINT, SIGHUP (taken by signalfd) and ignores SIGPIPE; call before any
  // thread starts so every thread inherits the mask.
  static void block_signals();

 private:
  Daemon() = default;
  void reload();
  void stop_workers();
  // Writes every worker's eventfd: they look at the stop flag and the snapshot generation.
  void wake_workers();

  Reloader reload_;
  config::DaemonConfig config_;
  // From [daemon] secret_file (or random): read once at start; a reload keeps it, so the
  // branches of requests in flight stay valid.
  trust::BranchKey branch_key_;
  // Declaration order is teardown order reversed: workers stop first (stop_workers in the
  // destructor), then the metrics server, the XDP attachment, the cache, the registry.
  std::unique_ptr<metrics::Registry> registry_;
  std::unique_ptr<resolve::DnsCache> cache_;
  SnapshotSlot snapshot_;
  std::unique_ptr<HopQuarantine> quarantine_;
  WorkerShared shared_;
  std::unique_ptr<XdpAttachment> xdp_;
  std::unique_ptr<metrics::MetricsServer> metrics_server_;
  // One eventfd per worker (stop, reload); each worker lives and dies on its own thread.
  std::vector<net::UniqueFd> wake_fds_;
  std::vector<std::thread> threads_;
};

}  // namespace sipedge::router
