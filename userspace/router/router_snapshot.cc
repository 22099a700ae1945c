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

}  // namespace

const StaticRoute* RouterSnapshot::find_route(std::string_view host) const {
  // Few routes in practice (peering carriers); a linear scan allocates nothing.
  for (const StaticRoute& r : routes)
    if (iequal_name(host, r.domain)) return &r;
  return nullptr;
}

Expected<std::shared_ptr<const RouterSnapshot>, std::string> build_snapshot(
    const config::DaemonConfig& config) {
  policy::PolicyOptions po;
  po.trusted = config.policy.trusted_networks;
  po.tls_only = config.policy.tls_only_networks;
  po.deny = config.policy.deny_networks;
  po.trusted_downgrade = config.policy.trusted_downgrade;
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
  return std::shared_ptr<const RouterSnapshot>(std::move(snap));
}

}  // namespace sipedge::router
