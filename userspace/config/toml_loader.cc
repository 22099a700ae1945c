// parse_config / load_config_file: the TOML layout, section by section. Every key a section
// accepts is listed in its only_keys() call, so the loader and the documentation can be
// compared at a glance (etc/sipedge.toml, docs/config.md).
#include <fcntl.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <limits>

#include "config/daemon_config.h"
#include "config/toml_reader.h"
#include "config/value_parsers.h"

namespace sipedge::config {
namespace {

using Item = TomlReader::Item;

// Reads `key` as an array of strings and runs each element through `check` (a Checked<T>
// function), appending the results to *out.
template <typename T, typename Check>
void read_checked_array(TomlReader& r, const toml::table& t, std::string_view prefix,
                        std::string_view key, Check check, std::vector<T>* out) {
  std::vector<Item> items;
  if (!r.read_string_array(t, prefix, key, &items)) return;
  out->clear();
  std::string dotted = TomlReader::join(prefix, key);
  for (size_t i = 0; i < items.size(); ++i) {
    auto v = check(items[i].text);
    if (!v) return r.fail(items[i].at, dotted + "[" + std::to_string(i) + "]", v.error());
    out->push_back(*v);
  }
}

// Reads a string `key` and maps it through `check`; true when present and good.
template <typename T, typename Check>
bool read_checked(TomlReader& r, const toml::table& t, std::string_view prefix,
                  std::string_view key, Check check, T* out) {
  std::string text;
  if (!r.read_string(t, prefix, key, &text)) return false;
  auto v = check(text);
  if (!v) {
    r.fail(t.get(key)->source(), TomlReader::join(prefix, key), v.error());
    return false;
  }
  *out = *v;
  return true;
}

// An enum spelled as a string: `parse` returns optional<E>; `choices` is the error's list.
template <typename E, typename Parse>
void read_enum(TomlReader& r, const toml::table& t, std::string_view prefix, std::string_view key,
               Parse parse, std::string_view choices, E* out) {
  std::string text;
  if (!r.read_string(t, prefix, key, &text)) return;
  if (auto v = parse(text)) {
    *out = *v;
    return;
  }
  r.fail(t.get(key)->source(), TomlReader::join(prefix, key),
         "must be " + std::string(choices) + ", got \"" + text + "\"");
}

void read_daemon(TomlReader& r, const toml::table& root, DaemonConfig* c) {
  const toml::table* t = r.table(root, "daemon");
  if (!t || !r.only_keys(*t, "daemon",
                         {"workers", "log_level", "record_route", "local_names", "secret_file"}))
    return;
  r.read_number<unsigned>(*t, "daemon", "workers", 0, kMaxWorkers, &c->workers);
  read_enum(r, *t, "daemon", "log_level", parse_log_level,
            "\"error\", \"warn\", \"info\" or \"debug\"", &c->log_level);
  r.read_bool(*t, "daemon", "record_route", &c->record_route);
  r.read_string(*t, "daemon", "secret_file", &c->secret_file);
  read_checked_array(r, *t, "daemon", "local_names", check_host_name, &c->local_names);
}

void read_listener(TomlReader& r, const toml::table& t, const std::string& prefix,
                   DaemonConfig* c) {
  if (!r.only_keys(
          t, prefix,
          {"transport", "address", "port", "tls_certificate", "tls_key", "tls_ca",
           "tls_client_certificates", "tls_min_version", "tls_ciphers", "tls_ciphersuites"}))
    return;
  r.note(t.source(), prefix);
  ListenerConfig l;
  if (!read_checked(r, t, prefix, "transport", check_listener_transport, &l.transport)) {
    return r.fail(t.source(), prefix + ".transport", "missing (\"udp\", \"tcp\" or \"tls\")");
  }
  if (!read_checked(r, t, prefix, "address", check_listen_address, &l.endpoint.address)) {
    return r.fail(t.source(), prefix + ".address", "missing (a numeric IPv4 or IPv6 address)");
  }
  l.endpoint.port = resolve::default_port(l.transport);
  r.read_number<uint16_t>(t, prefix, "port", 1, 65535, &l.endpoint.port);
  for (auto [key, field] :
       {std::pair{"tls_certificate", &l.tls_certificate}, std::pair{"tls_key", &l.tls_key},
        std::pair{"tls_ca", &l.tls_ca}, std::pair{"tls_ciphers", &l.tls_ciphers},
        std::pair{"tls_ciphersuites", &l.tls_ciphersuites}}) {
    if (!r.read_string(t, prefix, key, field)) continue;
    if (l.transport != resolve::Transport::kTls)
      r.fail(t.get(key)->source(), prefix + "." + key, "only for transport = \"tls\"");
  }
  read_enum(r, t, prefix, "tls_client_certificates", parse_client_cert_mode,
            "\"none\", \"request\" or \"require\"", &l.tls_client_certificates);
  read_enum(r, t, prefix, "tls_min_version", parse_tls_version, "\"1.2\" or \"1.3\"",
            &l.tls_min_version);
  for (const char* key : {"tls_client_certificates", "tls_min_version"})
    if (t.contains(key) && l.transport != resolve::Transport::kTls)
      r.fail(t.get(key)->source(), prefix + "." + key, "only for transport = \"tls\"");
  c->listeners.push_back(std::move(l));
}

void read_listeners(TomlReader& r, const toml::table& root, DaemonConfig* c) {
  const toml::array* a = r.table_array(root, "listen");
  if (!a) return;
  for (size_t i = 0; i < a->size() && !r.failed(); ++i) {
    read_listener(r, *a->get(i)->as_table(), "listen[" + std::to_string(i) + "]", c);
  }
}

void read_xdp(TomlReader& r, const toml::table& root, XdpConfig* x) {
  const toml::table* t = r.table(root, "xdp");
  if (!t || !r.only_keys(*t, "xdp",
                         {"iface", "mode", "keep_pinned_on_exit", "rate_pps", "rate_burst",
                          "syn_pps", "syn_burst"}))
    return;
  read_checked(r, *t, "xdp", "iface", check_iface, &x->iface);
  read_checked(r, *t, "xdp", "mode", check_xdp_mode, &x->mode);
  r.read_bool(*t, "xdp", "keep_pinned_on_exit", &x->keep_pinned_on_exit);
  constexpr uint32_t kMax = std::numeric_limits<uint32_t>::max();
  r.read_number<uint32_t>(*t, "xdp", "rate_pps", 0, kMax, &x->rate_pps);
  r.read_number<uint32_t>(*t, "xdp", "rate_burst", 0, kMax, &x->rate_burst);
  r.read_number<uint32_t>(*t, "xdp", "syn_pps", 0, kMax, &x->syn_pps);
  r.read_number<uint32_t>(*t, "xdp", "syn_burst", 0, kMax, &x->syn_burst);
}

void read_tls(TomlReader& r, const toml::table& root, TlsClientConfig* c) {
  const toml::table* t = r.table(root, "tls");
  if (!t ||
      !r.only_keys(*t, "tls",
                   {"enabled", "ca", "certificate", "key", "min_version", "ciphers", "ciphersuites",
                    "verify_wildcard", "session_tickets", "handshake_timeout_ms"}))
    return;
  r.note(t->source(), "tls");
  r.read_bool(*t, "tls", "enabled", &c->enabled);
  r.read_string(*t, "tls", "ca", &c->ca);
  r.read_string(*t, "tls", "certificate", &c->certificate);
  r.read_string(*t, "tls", "key", &c->key);
  read_enum(r, *t, "tls", "min_version", parse_tls_version, "\"1.2\" or \"1.3\"", &c->min_version);
  r.read_string(*t, "tls", "ciphers", &c->ciphers);
  r.read_string(*t, "tls", "ciphersuites", &c->ciphersuites);
  r.read_bool(*t, "tls", "verify_wildcard", &c->verify_wildcard);
  r.read_bool(*t, "tls", "session_tickets", &c->session_tickets);
  r.read_number<int>(*t, "tls", "handshake_timeout_ms", 100, 60000, &c->handshake_timeout_ms);
  if (c->certificate.empty() != c->key.empty())
    r.fail(t->source(), c->certificate.empty() ? "tls.certificate" : "tls.key",
           "tls.certificate and tls.key go together");
}

void read_dns(TomlReader& r, const toml::table& root, DnsConfig* d) {
  const toml::table* t = r.table(root, "dns");
  if (!t || !r.only_keys(*t, "dns",
                         {"servers", "timeout_ms", "tries", "cache_max_entries", "max_ttl_s",
                          "max_pending_per_worker", "quarantine_ms"}))
    return;
  read_checked_array(r, *t, "dns", "servers", check_dns_server, &d->servers);
  r.read_number<int>(*t, "dns", "timeout_ms", 1, 60000, &d->timeout_ms);
  r.read_number<int>(*t, "dns", "tries", 1, 10, &d->tries);
  // 2^22 entries: the index alone is 1 GiB (256 bytes each, allocated at start), and the
  // 64 MiB answer bound holds far fewer entries than that anyway.
  r.read_number<size_t>(*t, "dns", "cache_max_entries", 16, size_t{1} << 22, &d->cache_max_entries);
  r.read_number<uint32_t>(*t, "dns", "max_ttl_s", 1, 604800, &d->max_ttl_s);
  r.read_number<size_t>(*t, "dns", "max_pending_per_worker", 1, size_t{1} << 20,
                        &d->max_pending_per_worker);
  r.read_number<int64_t>(*t, "dns", "quarantine_ms", 0, 3600000, &d->quarantine_ms);
}

void read_policy(TomlReader& r, const toml::table& root, PolicyConfig* p) {
  const toml::table* t = r.table(root, "policy");
  if (!t || !r.only_keys(*t, "policy",
                         {"trusted", "tls_only", "deny", "trusted_downgrade", "transport_tls",
                          "sips_contact", "untrusted_next_hops"}))
    return;
  read_checked_array(r, *t, "policy", "trusted", check_cidr, &p->trusted_networks);
  read_checked_array(r, *t, "policy", "tls_only", check_cidr, &p->tls_only_networks);
  read_checked_array(r, *t, "policy", "deny", check_cidr, &p->deny_networks);
  read_checked_array(r, *t, "policy", "trusted_downgrade", check_endpoint, &p->trusted_downgrade);
  if (t->contains("untrusted_next_hops")) {
    p->untrusted_next_hops.emplace();
    read_checked_array(r, *t, "policy", "untrusted_next_hops", check_cidr,
                       &*p->untrusted_next_hops);
  }
  read_enum(r, *t, "policy", "transport_tls", parse_transport_tls_action,
            "\"accept\" or \"reject\"", &p->transport_tls);
  read_enum(r, *t, "policy", "sips_contact", parse_sips_contact_action,
            "\"reject\", \"log\" or \"allow\"", &p->sips_contact);
}

void read_routes(TomlReader& r, const toml::table& root, DaemonConfig* c) {
  const toml::array* a = r.table_array(root, "route");
  if (!a) return;
  for (size_t i = 0; i < a->size() && !r.failed(); ++i) {
    const toml::table& t = *a->get(i)->as_table();
    std::string prefix = "route[" + std::to_string(i) + "]";
    if (!r.only_keys(t, prefix, {"domain", "next_hop"})) return;
    r.note(t.source(), prefix);
    StaticRoute route;
    if (!read_checked(r, t, prefix, "domain", check_host_name, &route.domain))
      return r.fail(t.source(), prefix + ".domain", "missing (the domain this route serves)");
    if (!read_checked(r, t, prefix, "next_hop", check_next_hop_uri, &route.next_hop_uri))
      return r.fail(t.source(), prefix + ".next_hop", "missing (a sip: or sips: URI)");
    c->routes.push_back(std::move(route));
  }
}

void read_metrics(TomlReader& r, const toml::table& root, DaemonConfig* c) {
  const toml::table* t = r.table(root, "metrics");
  if (!t || !r.only_keys(*t, "metrics", {"listen"})) return;
  net::Endpoint ep;
  if (read_checked(r, *t, "metrics", "listen", check_endpoint, &ep)) {
    c->metrics = ep;
  } else {
    r.fail(t->source(), "metrics.listen", "missing (ADDR:PORT of the Prometheus endpoint)");
  }
}

void read_limits(TomlReader& r, const toml::table& root, LimitsConfig* l) {
  const toml::table* t = r.table(root, "limits");
  if (!t || !r.only_keys(
                *t, "limits",
                {"max_message_size", "tcp_idle_timeout_s", "tcp_max_connections_per_worker",
                 "tcp_max_connections_per_source", "tcp_write_queue_bytes",
                 "tcp_connect_timeout_ms", "tcp_message_timeout_ms", "tcp_write_stall_timeout_ms"}))
    return;
  r.read_number<size_t>(*t, "limits", "max_message_size", 1024, size_t{1} << 20,
                        &l->max_message_size);
  r.read_number<int>(*t, "limits", "tcp_idle_timeout_s", 1, 86400, &l->tcp_idle_timeout_s);
  r.read_number<size_t>(*t, "limits", "tcp_max_connections_per_worker", 1, size_t{1} << 20,
                        &l->tcp_max_connections_per_worker);
  r.read_number<size_t>(*t, "limits", "tcp_max_connections_per_source", 1, size_t{1} << 20,
                        &l->tcp_max_connections_per_source);
  r.read_number<size_t>(*t, "limits", "tcp_write_queue_bytes", 4096, size_t{1} << 30,
                        &l->tcp_write_queue_bytes);
  r.read_number<int>(*t, "limits", "tcp_connect_timeout_ms", 1, 60000, &l->tcp_connect_timeout_ms);
  r.read_number<int>(*t, "limits", "tcp_message_timeout_ms", 100, 600000,
                     &l->tcp_message_timeout_ms);
  r.read_number<int>(*t, "limits", "tcp_write_stall_timeout_ms", 100, 600000,
                     &l->tcp_write_stall_timeout_ms);
}

Expected<DaemonConfig, ConfigError> read_document(const toml::table& root,
                                                  const std::string& path) {
  DaemonConfig c;
  c.source = path;
  TomlReader r(path, &c.origins);
  if (r.only_keys(
          root, "",
          {"daemon", "listen", "xdp", "dns", "tls", "policy", "route", "metrics", "limits"})) {
    read_daemon(r, root, &c);
    read_listeners(r, root, &c);
    read_xdp(r, root, &c.xdp);
    read_dns(r, root, &c.dns);
    read_tls(r, root, &c.tls);
    read_policy(r, root, &c.policy);
    read_routes(r, root, &c);
    read_metrics(r, root, &c);
    read_limits(r, root, &c.limits);
  }
  if (r.failed()) return unexpected(ConfigError{r.error()});
  return c;
}

}  // namespace

Expected<DaemonConfig, ConfigError> parse_config(std::string_view toml_text,
                                                 const std::string& path) {
  // toml++ from Debian is built with exceptions: its parse errors and any allocation failure
  // stop here, so no exception leaves the config API.
  try {
    toml::table root = toml::parse(toml_text, path);
    return read_document(root, path);
  } catch (const toml::parse_error& e) {
    std::string where = path;
    if (e.source().begin.line) where += ":" + std::to_string(e.source().begin.line);
    return unexpected(ConfigError{where + ": " + std::string(e.description())});
  } catch (const std::exception& e) {
    return unexpected(ConfigError{path + ": " + e.what()});
  }
}

Expected<DaemonConfig, ConfigError> load_config_file(const std::string& path) {
  auto cannot_read = [&](int err) {
    return unexpected(ConfigError{path + ": cannot read: " + std::strerror(err)});
  };
  int fd = ::open(path.c_str(), O_RDONLY | O_CLOEXEC);
  if (fd < 0) return cannot_read(errno);
  std::string text;
  char buf[16384];
  for (;;) {
    ssize_t n = ::read(fd, buf, sizeof(buf));
    if (n < 0 && errno == EINTR) continue;
    if (n < 0) {
      int err = errno;
      ::close(fd);
      return cannot_read(err);
    }
    if (n == 0) break;
    text.append(buf, static_cast<size_t>(n));
  }
  ::close(fd);
  return parse_config(text, path);
}

}  // namespace sipedge::config
