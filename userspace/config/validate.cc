// validate(): the checks that need the whole config (file and flags merged). Messages are
// located through DaemonConfig::origins, so a problem points at the line or flag that made it.
#include <string>

#include "config/daemon_config.h"

namespace sipedge::config {
namespace {

// Where `key` was set: its own origin, else its nearest recorded parent ("listen[1].port" →
// "listen[1]"), else the file itself, else "" (built in code).
std::string origin_of(const DaemonConfig& c, std::string key) {
  for (;;) {
    if (auto it = c.origins.find(key); it != c.origins.end()) return it->second;
    size_t cut = key.find_last_of(".[");
    if (cut == std::string::npos || cut == 0) break;
    key.resize(cut);
  }
  return c.source;
}

Unexpected<ConfigError> error_at(const DaemonConfig& c, const std::string& key,
                                 const std::string& what) {
  std::string origin = origin_of(c, key);
  if (origin.rfind("--", 0) == 0) return unexpected(ConfigError{origin + ": " + what});
  if (origin.empty()) return unexpected(ConfigError{key + ": " + what});
  return unexpected(ConfigError{origin + ": " + key + ": " + what});
}

std::string describe(const ListenerConfig& l) {
  return std::string(resolve::transport_name(l.transport)) + " " + l.endpoint.to_string();
}

}  // namespace

Expected<bool, ConfigError> validate(const DaemonConfig& c) {
  if (c.listeners.empty())
    return error_at(c, "listen", "no listener: add a [[listen]] table or --listen udp:ADDR:PORT");
  for (size_t i = 0; i < c.listeners.size(); ++i) {
    const ListenerConfig& l = c.listeners[i];
    std::string key = "listen[" + std::to_string(i) + "]";
    if (l.transport == resolve::Transport::kTls) {
      if (l.tls_certificate.empty())
        return error_at(c, key + ".tls_certificate",
                        "a tls listener needs its certificate chain (PEM file)");
      if (l.tls_key.empty())
        return error_at(c, key + ".tls_key", "a tls listener needs its private key (PEM file)");
      if (l.tls_client_certificates != ClientCertMode::kNone && l.tls_ca.empty())
        return error_at(c, key + ".tls_ca",
                        "needed to verify client certificates (tls_client_certificates)");
    } else if (l.transport != resolve::Transport::kUdp && l.transport != resolve::Transport::kTcp) {
      return error_at(c, key + ".transport", "must be \"udp\", \"tcp\" or \"tls\"");
    }
    if (l.endpoint.port == 0) return error_at(c, key + ".port", "must be 1..65535, got 0");
    for (size_t j = 0; j < i; ++j) {
      const ListenerConfig& earlier = c.listeners[j];
      if (earlier.transport == l.transport && earlier.endpoint == l.endpoint)
        return error_at(c, key,
                        "duplicates listen[" + std::to_string(j) + "] (" + describe(l) + ")");
    }
    if (c.metrics && l.transport != resolve::Transport::kUdp && *c.metrics == l.endpoint)
      return error_at(c, "metrics.listen",
                      "the metrics endpoint " + c.metrics->to_string() + " is also " + key + " (" +
                          std::string(resolve::transport_name(l.transport)) + ")");
  }
  if (c.workers > kMaxWorkers)
    return error_at(
        c, "daemon.workers",
        "must be 0.." + std::to_string(kMaxWorkers) + ", got " + std::to_string(c.workers));
  if (c.xdp.rate_pps > 0 && c.xdp.rate_burst == 0)
    return error_at(c, "xdp.rate_pps", "needs xdp.rate_burst >= 1");
  if (c.xdp.syn_pps > 0 && c.xdp.syn_burst == 0)
    return error_at(c, "xdp.syn_pps", "needs xdp.syn_burst >= 1");
  for (size_t i = 0; i < c.routes.size(); ++i) {
    for (size_t j = 0; j < i; ++j) {
      if (c.routes[j].domain == c.routes[i].domain)
        return error_at(
            c, "route[" + std::to_string(i) + "].domain",
            "\"" + c.routes[i].domain + "\" already has route[" + std::to_string(j) + "]");
    }
  }
  return true;
}

}  // namespace sipedge::config
