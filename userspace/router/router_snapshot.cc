#include "router/router_snapshot.h"

#include <algorithm>

#include "resolve/uri_adapter.h"
#include "sip/uri.h"

namespace sipedge::router {
namespace {

std::string lower_name(std::string_view s) {
  std::string out(s);
  for (char& c : out)
    if (c >= 'A' && c <= 'Z') c = static_cast<char>(c + 32);
  if (!out.empty() && out.back() == '.') out.pop_back();
  return out;
}

bool iequal_name(std::string_view a, std::string_view b) {
  if (!a.empty() && a.back() == '.') a.remove_suffix(1);
  if (a.size() != b.size()) return false;
  for (size_t i = 0; i < a.size(); ++i) {
    char x = a[i];
    if (x >= 'A' && x <= 'Z') x = static_cast<char>(x + 32);
    if (x != b[i]) return false;
  }
  return true;
}

tls::ClientCertMode client_cert_mode(config::ClientCertMode m) {
  switch (m) {
    case config::ClientCertMode::kRequest:
      return tls::ClientCertMode::kRequest;
    case config::ClientCertMode::kRequire:
      return tls::ClientCertMode::kRequire;
    case config::ClientCertMode::kNone:
      break;
  }
  return tls::ClientCertMode::kNone;
}

// "FILE:LINE: " of a config key (or its table), or "" when it came from a flag or code.
std::string where(const config::DaemonConfig& c, const std::string& key) {
  auto it = c.origins.find(key);
  if (it == c.origins.end() || it->second.rfind("--", 0) == 0) return "";
  return it->second + ": ";
}

Expected<bool, std::string> load_tls(const config::DaemonConfig& config, RouterSnapshot* snap) {
  snap->tls_servers.resize(config.listeners.size());
  for (size_t i = 0; i < config.listeners.size(); ++i) {
    const config::ListenerConfig& l = config.listeners[i];
    if (l.transport != resolve::Transport::kTls) continue;
    // A wildcard listener expands to one per address with the same files: load them once.
    bool shared = false;
    for (size_t j = 0; j < i && !shared; ++j) {
      config::ListenerConfig same_but_address = config.listeners[j];
      same_but_address.endpoint = l.endpoint;
      if (same_but_address == l) {
        snap->tls_servers[i] = snap->tls_servers[j];
        shared = true;
      }
    }
    if (shared) continue;
    tls::ServerConfig sc;
    sc.certificate = l.tls_certificate;
    sc.key = l.tls_key;
    sc.ca = l.tls_ca;
    sc.min_version = l.tls_min_version;
    sc.ciphers = l.tls_ciphers;
    sc.ciphersuites = l.tls_ciphersuites;
    sc.client_cert = client_cert_mode(l.tls_client_certificates);
    std::string key = "listen[" + std::to_string(i) + "]";
    auto ctx = tls::ServerContext::create(sc);
    if (!ctx) return unexpected(where(config, key) + key + ".tls_certificate: " + ctx.error());
    snap->tls_servers[i] = *ctx;
    snap->tls_certificates.emplace_back(l.tls_certificate, (*ctx)->certificate_not_after());
  }
  if (!config.tls.enabled) return true;
  tls::ClientConfig cc;
  cc.ca = config.tls.ca;
  cc.certificate = config.tls.certificate;
  cc.key = config.tls.key;
  cc.min_version = config.tls.min_version;
  cc.ciphers = config.tls.ciphers;
  cc.ciphersuites = config.tls.ciphersuites;
  cc.allow_wildcard = config.tls.verify_wildcard;
  cc.session_tickets = config.tls.session_tickets;
  auto client = tls::ClientContext::create(cc);
  if (!client) return unexpected(where(config, "tls") + "tls: " + client.error());
  snap->tls_client = *client;
  if (!cc.certificate.empty())
    snap->tls_certificates.emplace_back(cc.certificate, (*client)->certificate_not_after());
  return true;
}

}  // namespace

const StaticRoute* RouterSnapshot::find_route(std::string_view host) const {
  // Few routes in practice (peering carriers); a linear scan allocates nothing.
  for (const StaticRoute& r : routes)
    if (iequal_name(host, r.domain)) return &r;
  return nullptr;
}

Expected<std::shared_ptr<const RouterSnapshot>, std::string> build_snapshot(
    const config::DaemonConfig& config, const trust::BranchKey& branch_key) {
  policy::PolicyOptions po;
  po.trusted = config.policy.trusted_networks;
  po.tls_only = config.policy.tls_only_networks;
  po.deny = config.policy.deny_networks;
  po.trusted_downgrade = config.policy.trusted_downgrade;
  po.untrusted_next_hops = config.policy.untrusted_next_hops;
  for (const config::ListenerConfig& l : config.listeners) po.own_listeners.push_back(l.endpoint);
  po.transport_tls = config.policy.transport_tls == config::TransportTlsAction::kReject
                         ? policy::TransportTlsAction::kReject
                         : policy::TransportTlsAction::kAccept;
  switch (config.policy.sips_contact) {
    case config::SipsContactAction::kReject:
      po.sips_contact = policy::SipsContactAction::kReject;
      break;
    case config::SipsContactAction::kLog:
      po.sips_contact = policy::SipsContactAction::kLog;
      break;
    case config::SipsContactAction::kAllow:
      po.sips_contact = policy::SipsContactAction::kAllow;
      break;
  }
  auto policy = policy::Policy::create(po);
  if (!policy) return unexpected("policy: " + policy.error());
  auto snap = std::make_shared<RouterSnapshot>(std::move(*policy));
  snap->config = config;
  for (const config::ListenerConfig& l : config.listeners)
    snap->me.listeners.emplace_back(l.transport, l.endpoint);
  for (const std::string& n : config.local_names) snap->me.names.push_back(lower_name(n));
  snap->me.branch_key = branch_key;
  for (const config::StaticRoute& r : config.routes) {
    StaticRoute sr;
    sr.domain = lower_name(r.domain);
    sr.next_hop_uri = r.next_hop_uri;
    auto uri = sip::parse_uri(sr.next_hop_uri, "route");
    if (!uri) return unexpected("route " + r.domain + ": " + uri.error().to_string());
    auto req = resolve::request_from_uri(*uri);
    if (!req) return unexpected("route " + r.domain + ": " + req.error());
    sr.request = std::move(*req);
    snap->routes.push_back(std::move(sr));
  }
  auto tls = load_tls(config, snap.get());
  if (!tls) return unexpected(tls.error());
  return std::shared_ptr<const RouterSnapshot>(std::move(snap));
}

}  // namespace sipedge::router
