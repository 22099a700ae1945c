// to_toml(): the config written back in the layout parse_config() reads, so an effective
// configuration (file + flags) can be printed and read again.
#include <toml++/toml.h>

#include <sstream>

#include "config/daemon_config.h"

namespace sipedge::config {
namespace {

toml::array strings(const std::vector<std::string>& items) {
  toml::array a;
  for (const std::string& s : items) a.push_back(s);
  return a;
}

toml::array endpoints(const std::vector<net::Endpoint>& items) {
  toml::array a;
  for (const net::Endpoint& e : items) a.push_back(e.to_string());
  return a;
}

int64_t i64(uint64_t v) { return static_cast<int64_t>(v); }

}  // namespace

std::string to_toml(const DaemonConfig& c) {
  toml::table root;
  toml::table daemon{{"workers", i64(c.workers)},
                     {"log_level", std::string(log_level_name(c.log_level))},
                     {"record_route", c.record_route},
                     {"local_names", strings(c.local_names)}};
  if (!c.secret_file.empty()) daemon.insert("secret_file", c.secret_file);
  root.insert("daemon", std::move(daemon));
  toml::array listen;
  for (const ListenerConfig& l : c.listeners) {
    toml::table t{{"transport", std::string(resolve::transport_name(l.transport))},
                  {"address", l.endpoint.address.to_string()},
                  {"port", i64(l.endpoint.port)}};
    if (!l.tls_certificate.empty()) t.insert("tls_certificate", l.tls_certificate);
    if (!l.tls_key.empty()) t.insert("tls_key", l.tls_key);
    if (!l.tls_ca.empty()) t.insert("tls_ca", l.tls_ca);
    if (l.transport == resolve::Transport::kTls) {
      t.insert("tls_client_certificates",
               std::string(client_cert_mode_name(l.tls_client_certificates)));
      t.insert("tls_min_version", l.tls_min_version);
      if (!l.tls_ciphers.empty()) t.insert("tls_ciphers", l.tls_ciphers);
      if (!l.tls_ciphersuites.empty()) t.insert("tls_ciphersuites", l.tls_ciphersuites);
    }
    listen.push_back(std::move(t));
  }
  if (!listen.empty()) root.insert("listen", std::move(listen));
  toml::table xdp{{"mode", c.xdp.mode},
                  {"keep_pinned_on_exit", c.xdp.keep_pinned_on_exit},
                  {"rate_pps", i64(c.xdp.rate_pps)},
                  {"rate_burst", i64(c.xdp.rate_burst)},
                  {"syn_pps", i64(c.xdp.syn_pps)},
                  {"syn_burst", i64(c.xdp.syn_burst)}};
  if (!c.xdp.iface.empty()) xdp.insert("iface", c.xdp.iface);
  root.insert("xdp", std::move(xdp));
  root.insert("dns", toml::table{{"servers", strings(c.dns.servers)},
                                 {"timeout_ms", c.dns.timeout_ms},
                                 {"tries", c.dns.tries},
                                 {"cache_max_entries", i64(c.dns.cache_max_entries)},
                                 {"max_ttl_s", i64(c.dns.max_ttl_s)},
                                 {"max_pending_per_worker", i64(c.dns.max_pending_per_worker)},
                                 {"quarantine_ms", c.dns.quarantine_ms}});
  toml::table tls{{"enabled", c.tls.enabled},
                  {"min_version", c.tls.min_version},
                  {"verify_wildcard", c.tls.verify_wildcard},
                  {"session_tickets", c.tls.session_tickets},
                  {"handshake_timeout_ms", c.tls.handshake_timeout_ms}};
  for (auto [key, value] :
       {std::pair{"ca", &c.tls.ca}, std::pair{"certificate", &c.tls.certificate},
        std::pair{"key", &c.tls.key}, std::pair{"ciphers", &c.tls.ciphers},
        std::pair{"ciphersuites", &c.tls.ciphersuites}})
    if (!value->empty()) tls.insert(key, *value);
  root.insert("tls", std::move(tls));
  const PolicyConfig& p = c.policy;
  toml::table policy{{"trusted", strings(p.trusted_networks)},
                     {"tls_only", strings(p.tls_only_networks)},
                     {"deny", strings(p.deny_networks)},
                     {"trusted_downgrade", endpoints(p.trusted_downgrade)},
                     {"transport_tls", std::string(transport_tls_action_name(p.transport_tls))},
                     {"sips_contact", std::string(sips_contact_action_name(p.sips_contact))}};
  if (p.untrusted_next_hops) policy.insert("untrusted_next_hops", strings(*p.untrusted_next_hops));
  root.insert("policy", std::move(policy));
  toml::array routes;
  for (const StaticRoute& r : c.routes) {
    routes.push_back(toml::table{{"domain", r.domain}, {"next_hop", r.next_hop_uri}});
  }
  if (!routes.empty()) root.insert("route", std::move(routes));
  if (c.metrics) root.insert("metrics", toml::table{{"listen", c.metrics->to_string()}});
  const LimitsConfig& l = c.limits;
  root.insert("limits",
              toml::table{{"max_message_size", i64(l.max_message_size)},
                          {"tcp_idle_timeout_s", l.tcp_idle_timeout_s},
                          {"tcp_max_connections_per_worker", i64(l.tcp_max_connections_per_worker)},
                          {"tcp_max_connections_per_source", i64(l.tcp_max_connections_per_source)},
                          {"tcp_write_queue_bytes", i64(l.tcp_write_queue_bytes)},
                          {"tcp_connect_timeout_ms", l.tcp_connect_timeout_ms},
                          {"tcp_message_timeout_ms", l.tcp_message_timeout_ms},
                          {"tcp_write_stall_timeout_ms", l.tcp_write_stall_timeout_ms}});
  std::ostringstream out;
  out << root << "\n";
  return out.str();
}

}  // namespace sipedge::config
