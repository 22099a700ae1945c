#include "router/daemon.h"

#include <signal.h>
#include <sys/eventfd.h>
#include <sys/random.h>
#include <sys/signalfd.h>
#include <unistd.h>

#include <algorithm>
#include <cstring>
#include <future>

#include "log/log.h"
#include "metrics/pinned_xdp_source.h"
#include "net/interface_addresses.h"
#include "net/uring_features.h"
#include "policy/rule.h"
#include "trust/edge_secret.h"

namespace sipedge::router {
namespace {

constexpr int kDrainMs = 2000;

log::Level level_of(config::LogLevel l) {
  switch (l) {
    case config::LogLevel::kError:
      return log::Level::kError;
    case config::LogLevel::kWarn:
      return log::Level::kWarn;
    case config::LogLevel::kDebug:
      return log::Level::kDebug;
    default:
      return log::Level::kInfo;
  }
}

sigset_t daemon_signals() {
  sigset_t set;
  sigemptyset(&set);
  sigaddset(&set, SIGTERM);
  sigaddset(&set, SIGINT);
  sigaddset(&set, SIGHUP);
  return set;
}

// A wildcard listener becomes one listener per local address: our Via and Record-Route must
// name an address a peer can reach. Duplicates (an address also listed on its own) collapse.
Expected<config::DaemonConfig, std::string> expand_wildcard_listeners(
    const config::DaemonConfig& config, bool log_expansions = true) {
  config::DaemonConfig expanded = config;
  expanded.listeners.clear();
  auto add = [&](const config::ListenerConfig& l) {
    if (std::find(expanded.listeners.begin(), expanded.listeners.end(), l) !=
        expanded.listeners.end())
      return false;
    expanded.listeners.push_back(l);
    return true;
  };
  for (const config::ListenerConfig& l : config.listeners) {
    if (!net::is_wildcard(l.endpoint.address)) {
      add(l);
      continue;
    }
    std::string names;
    for (const net::IpAddress& a : net::interface_addresses(l.endpoint.address.family)) {
      config::ListenerConfig one = l;
      one.endpoint.address = a;
      if (add(one)) names += (names.empty() ? "" : ", ") + one.endpoint.to_string();
    }
    if (names.empty())
      return unexpected("listener " + l.endpoint.to_string() +
                        ": no local address of that family to listen on");
    if (log_expansions)
      LOG_INFO("listener %s:%s expands to %s",
               std::string(resolve::transport_name(l.transport)).c_str(),
               l.endpoint.to_string().c_str(), names.c_str());
  }
  return expanded;
}

}  // namespace

void Daemon::block_signals() {
  sigset_t set = daemon_signals();
  pthread_sigmask(SIG_BLOCK, &set, nullptr);
  signal(SIGPIPE, SIG_IGN);
}

Expected<std::unique_ptr<Daemon>, std::string> Daemon::start(const config::DaemonConfig& config,
                                                             Reloader reload) {
  std::unique_ptr<Daemon> d(new Daemon());
  d->reload_ = std::move(reload);
  log::set_level(level_of(config.log_level));

  net::UringFeatures features = net::probe_uring_features();
  if (!features.available)
    return unexpected(std::string("io_uring is not available on this kernel"));
  if (!features.multishot_recvmsg || !features.provided_buffer_ring || !features.multishot_accept)
    return unexpected(
        "io_uring lacks multishot receive/accept or buffer rings (kernel 6.0+ needed): " +
        features.describe());
  LOG_INFO("io_uring: %s", features.describe().c_str());

  auto expanded = expand_wildcard_listeners(config);
  if (!expanded) return unexpected(expanded.error());
  d->config_ = std::move(*expanded);
  // The secret every branch MAC and flow token is keyed from, before any worker runs.
  auto secret = config.secret_file.empty() ? trust::EdgeSecret::random()
                                           : trust::EdgeSecret::from_file(config.secret_file);
  if (!secret) return unexpected("daemon.secret_file: " + secret.error());
  if (config.secret_file.empty()) {
    LOG_WARN(
        "no [daemon] secret_file: a random secret for this start; responses to requests in "
        "flight are dropped after a restart, and other nodes do not accept this node's "
        "branches");
  } else {
    LOG_INFO("secret from %s", config.secret_file.c_str());
  }
  d->branch_key_ = trust::BranchKey::from(*secret);
  auto snap = build_snapshot(d->config_, d->branch_key_);
  if (!snap) return unexpected(snap.error());
  d->snapshot_.publish(*snap);

  unsigned workers =
      config.workers ? config.workers : std::max(1u, std::thread::hardware_concurrency());
  std::vector<std::string_view> rule_names;
  for (size_t i = 0; i < policy::kRuleCount; ++i)
    rule_names.push_back(policy::rule_name(static_cast<policy::Rule>(i)));
  d->registry_ = std::make_unique<metrics::Registry>(workers, rule_names);
  d->registry_->set_tls_certificates((*snap)->tls_certificates);
  resolve::DnsCacheConfig cc;
  cc.max_entries = config.dns.cache_max_entries;
  cc.max_ttl_s = config.dns.max_ttl_s;
  d->cache_ = std::make_unique<resolve::DnsCache>(cc);

  if (!config.xdp.iface.empty()) {
    auto x = XdpAttachment::attach(config);
    if (!x) return unexpected(x.error());
    d->xdp_ = std::move(*x);
  }

  d->shared_.features = features;
  d->shared_.dns_cache = d->cache_.get();
  d->shared_.snapshot = &d->snapshot_;
  d->quarantine_ = std::make_unique<HopQuarantine>(4096, config.dns.quarantine_ms);
  d->shared_.quarantine = d->quarantine_.get();
  d->shared_.worker_count = workers;
  for (unsigned i = 0; i < workers; ++i) {
    net::UniqueFd fd(eventfd(0, EFD_NONBLOCK | EFD_CLOEXEC));
    if (!fd) return unexpected(std::string("eventfd: ") + std::strerror(errno));
    d->wake_fds_.push_back(std::move(fd));
  }
  for (unsigned i = 0; i < workers; ++i) {
    std::promise<std::string> ready;
    std::future<std::string> started = ready.get_future();
    Daemon* self = d.get();
    d->threads_.emplace_back([self, i, ready = std::move(ready)]() mutable {
      auto w =
          Worker::create(i, self->shared_, self->registry_->worker(i), self->wake_fds_[i].get());
      if (!w) {
        ready.set_value(w.error());
        return;
      }
      ready.set_value("");
      (*w)->run(kDrainMs);
    });
    std::string err = started.get();
    if (!err.empty()) {
      d->threads_.back().join();
      d->threads_.pop_back();
      return unexpected("worker " + std::to_string(i) + ": " + err);
    }
  }

  if (config.metrics) {
    auto srv = metrics::MetricsServer::start(*config.metrics, *d->registry_, config.xdp.iface);
    if (!srv) return unexpected(srv.error());
    d->metrics_server_ = std::move(*srv);
    LOG_INFO("metrics on http://%s/metrics", d->metrics_server_->local().to_string().c_str());
  }
  std::string listening;
  for (const config::ListenerConfig& l : d->config_.listeners) {
    if (!listening.empty()) listening += ", ";
    listening += std::string(resolve::transport_name(l.transport)) + ":" + l.endpoint.to_string();
  }
  LOG_INFO("sipedge ready: %u worker%s listening on %s", workers, workers == 1 ? "" : "s",
           listening.c_str());
  return d;
}

void Daemon::wake_workers() {
  for (net::UniqueFd& fd : wake_fds_) {
    uint64_t one = 1;
    ssize_t rc = ::write(fd.get(), &one, sizeof(one));
    (void)rc;
  }
}

void Daemon::stop_workers() {
  shared_.stop.store(true);
  wake_workers();
  for (std::thread& t : threads_) t.join();
  threads_.clear();
}

Daemon::~Daemon() {
  stop_workers();
  metrics_server_.reset();
  xdp_.reset();
}

void Daemon::reload() {
  if (!reload_) return;
  auto cfg = reload_();
  if (!cfg) {
    LOG_ERROR("reload refused, keeping the running configuration: %s", cfg.error().c_str());
    return;
  }
  // Listeners stay as they are (compared after the same wildcard expansion as at start);
  // everything a message is judged by is replaced at once.
  // A listener's TLS files and settings may change (certificate rotation); its sockets not.
  auto expanded = expand_wildcard_listeners(*cfg, false);
  auto same_sockets = [&](const std::vector<config::ListenerConfig>& a) {
    if (a.size() != config_.listeners.size()) return false;
    for (size_t i = 0; i < a.size(); ++i)
      if (a[i].transport != config_.listeners[i].transport ||
          a[i].endpoint != config_.listeners[i].endpoint)
        return false;
    return true;
  };
  bool sockets_kept = expanded && same_sockets(expanded->listeners);
  if (!sockets_kept || cfg->workers != config_.workers)
    LOG_WARN("reload: listener and worker changes take effect on restart only");
  config::DaemonConfig kept = *cfg;
  kept.listeners = sockets_kept ? expanded->listeners : config_.listeners;
  kept.workers = config_.workers;
  auto snap = build_snapshot(kept, branch_key_);
  if (!snap) {
    LOG_ERROR("reload refused, keeping the running configuration: %s", snap.error().c_str());
    return;
  }
  if (xdp_) {
    auto ok = xdp_->apply(kept);
    if (!ok) LOG_ERROR("reload: %s", ok.error().c_str());
  }
  log::set_level(level_of(kept.log_level));
  registry_->set_tls_certificates((*snap)->tls_certificates);
  snapshot_.publish(*snap);
  config_ = std::move(kept);
  wake_workers();
  LOG_INFO("reloaded: policy, routes, trusted sets and TLS certificates replaced");
}

int Daemon::run() {
  sigset_t set = daemon_signals();
  net::UniqueFd sfd(signalfd(-1, &set, SFD_CLOEXEC));
  if (!sfd) {
    LOG_ERROR("signalfd: %s", std::strerror(errno));
    return 1;
  }
  for (;;) {
    signalfd_siginfo si{};
    ssize_t n = ::read(sfd.get(), &si, sizeof(si));
    if (n != sizeof(si)) continue;
    if (si.ssi_signo == SIGHUP) {
      reload();
      continue;
    }
    LOG_INFO("%s: draining and stopping", si.ssi_signo == SIGTERM ? "SIGTERM" : "SIGINT");
    stop_workers();
    LOG_INFO("stopped");
    return 0;
  }
}

}  // namespace sipedge::router
