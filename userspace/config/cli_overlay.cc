// parse_command_line / apply_overrides: CLI11 collects the flags as text, the same value
// checks as the file's (value_parsers.h) turn them into Overrides, and the overrides are laid
// over the file's settings before validate() sees the whole.
#include <CLI/CLI.hpp>

#include <iostream>
#include <ostream>

#include "config/daemon_config.h"
#include "config/value_parsers.h"

namespace sipedge::config {
namespace {

struct FlagText {
  std::string config, check_config, metrics, workers, iface, log_level;
  std::vector<std::string> listen, dns, trusted, trusted_downgrade, tls_only, deny, route;
  bool record_route = false;
  bool version = false;
};

// Registers every flag on `app`; values land in `t` as text.
void add_flags(CLI::App& app, FlagText& t) {
  // One value per occurrence: "--listen a b" must not swallow b.
  auto repeatable = [&](const char* name, std::vector<std::string>& into, const char* type,
                        const char* help) {
    return app.add_option(name, into, help)->type_name(type)->allow_extra_args(false);
  };
  const char* kConfig = "Configuration";
  const char* kForwarding = "Listening and forwarding";
  const char* kPolicy = "Policy";
  const char* kDataPlane = "XDP data plane";
  app.add_option("--config", t.config, "read the configuration from FILE (TOML, sipedge.toml(5))")
      ->type_name("FILE")
      ->group(kConfig);
  app.add_option("--check-config", t.check_config,
                 "check FILE (and the other flags), print the verdict and exit: 0 valid, 2 not")
      ->type_name("FILE")
      ->group(kConfig);
  app.add_flag("--version", t.version, "print the version and exit")->group(kConfig);
  repeatable("--listen", t.listen, "TRANSPORT:ADDR:PORT",
             "listen on udp:ADDR:PORT or tcp:ADDR:PORT (IPv6 as [ADDR]:PORT); repeatable, "
             "replaces the file's listeners")
      ->group(kForwarding);
  repeatable("--dns", t.dns, "ADDR:PORT",
             "DNS server to ask, in order; repeatable, replaces the file's servers")
      ->group(kForwarding);
  app.add_option("--metrics", t.metrics, "serve Prometheus metrics on http://ADDR:PORT/metrics")
      ->type_name("ADDR:PORT")
      ->group(kForwarding);
  app.add_option("--workers", t.workers,
                 "worker threads, each with its own io_uring (0: one per core)")
      ->type_name("N")
      ->group(kForwarding);
  app.add_flag("--record-route", t.record_route,
               "insert Record-Route, so in-dialog requests come back through sipedge")
      ->group(kForwarding);
  app.add_option("--iface", t.iface,
                 "attach the XDP classifier to interface IF (pinned under /sys/fs/bpf/sipedge/IF/)")
      ->type_name("IF")
      ->group(kDataPlane);
  repeatable("--trusted", t.trusted, "CIDR",
             "source network whose plaintext sips: requests are accepted; repeatable, appends")
      ->group(kPolicy);
  repeatable("--trusted-downgrade", t.trusted_downgrade, "ADDR:PORT",
             "next hop a sips: request may reach over plaintext; repeatable, appends")
      ->group(kPolicy);
  repeatable("--tls-only", t.tls_only, "CIDR",
             "source network that must use TLS: its plaintext SIP is dropped; repeatable, appends")
      ->group(kPolicy);
  repeatable("--deny", t.deny, "CIDR", "source network dropped outright; repeatable, appends")
      ->group(kPolicy);
  repeatable("--route", t.route, "DOMAIN=URI",
             "static route: requests for DOMAIN go to the sip:/sips: URI; repeatable, appends")
      ->group(kForwarding);
  app.add_option("--log-level", t.log_level, "what to log: error, warn, info or debug")
      ->type_name("LEVEL")
      ->group(kConfig);
}

// Runs `check` over each text of a repeatable flag; the first failure names the flag.
template <typename T, typename Check>
bool check_all(const char* flag, const std::vector<std::string>& texts, Check check,
               std::vector<T>* out, std::string* error) {
  for (const std::string& text : texts) {
    auto v = check(text);
    if (!v) {
      *error = std::string(flag) + ": " + v.error();
      return false;
    }
    out->push_back(*v);
  }
  return true;
}

// Checks one optional flag's text into *out; false with *error = "FLAG: what".
template <typename T, typename Check>
bool check_one(const char* flag, const std::string& text, Check check, std::optional<T>* out,
               std::string* error) {
  if (text.empty()) return true;
  auto v = check(text);
  if (!v) {
    *error = std::string(flag) + ": " + v.error();
    return false;
  }
  *out = static_cast<T>(*v);
  return true;
}

Checked<LogLevel> check_log_level(std::string_view text) {
  if (auto level = parse_log_level(text)) return *level;
  return unexpected("must be error, warn, info or debug, got \"" + std::string(text) + "\"");
}

Checked<int64_t> check_workers(std::string_view text) {
  return check_integer_text(text, 0, kMaxWorkers);
}

// Turns the flag texts into checked Overrides; false with *error = "--flag: what".
bool to_overrides(const FlagText& t, Overrides* o, std::string* error) {
  if (!t.listen.empty()) o->listeners.emplace();
  if (!t.dns.empty()) o->dns_servers.emplace();
  o->record_route = t.record_route;
  return (t.listen.empty() ||
          check_all("--listen", t.listen, check_listen_spec, &*o->listeners, error)) &&
         (t.dns.empty() || check_all("--dns", t.dns, check_dns_server, &*o->dns_servers, error)) &&
         check_one("--metrics", t.metrics, check_endpoint, &o->metrics, error) &&
         check_one("--workers", t.workers, check_workers, &o->workers, error) &&
         check_one("--iface", t.iface, check_iface, &o->iface, error) &&
         check_one("--log-level", t.log_level, check_log_level, &o->log_level, error) &&
         check_all("--trusted", t.trusted, check_cidr, &o->trusted, error) &&
         check_all("--trusted-downgrade", t.trusted_downgrade, check_endpoint,
                   &o->trusted_downgrade, error) &&
         check_all("--tls-only", t.tls_only, check_cidr, &o->tls_only, error) &&
         check_all("--deny", t.deny, check_cidr, &o->deny, error) &&
         check_all("--route", t.route, check_route_spec, &o->routes, error);
}

// Drops the recorded origins of `key` and everything under it ("listen" → "listen[0].port").
void forget_origins(DaemonConfig* c, const std::string& key) {
  auto it = c->origins.lower_bound(key);
  while (it != c->origins.end() && it->first.compare(0, key.size(), key) == 0) {
    it = c->origins.erase(it);
  }
}

void append(std::vector<std::string>* to, const std::vector<std::string>& items) {
  to->insert(to->end(), items.begin(), items.end());
}

CommandLine parse_or_exit(int argc, char** argv, std::string_view version, std::ostream& out,
                          std::ostream& err) {
  CommandLine cl;
  auto fail = [&](const std::string& message) {
    err << "sipedge: " << message << "\n";
    cl.exit_code = 2;
    return cl;
  };
  CLI::App app{
      "sipedge: stateless SIP edge proxy with an XDP classifier\n"
      "Flags override the --config file: --listen and --dns replace its lists, the policy\n"
      "flags add to them. SIGHUP re-reads the file; see sipedge(8) and sipedge.toml(5).",
      "sipedge"};
  FlagText text;
  add_flags(app, text);
  try {
    app.parse(argc, argv);
  } catch (const CLI::CallForHelp&) {
    out << app.help();
    cl.exit_code = 0;
    return cl;
  } catch (const CLI::CallForAllHelp&) {
    out << app.help("", CLI::AppFormatMode::All);
    cl.exit_code = 0;
    return cl;
  } catch (const CLI::ParseError& e) {
    return fail(std::string(e.what()) + " (see --help)");
  }
  if (text.version) {
    out << "sipedge " << version << "\n";
    cl.show_version = true;
    cl.exit_code = 0;
    return cl;
  }
  std::string error;
  if (!to_overrides(text, &cl.overrides, &error)) return fail(error);
  if (!text.config.empty() && !text.check_config.empty())
    return fail("--check-config: give the file to --check-config alone, not with --config");
  cl.check_only = !text.check_config.empty();
  cl.config_path = cl.check_only ? text.check_config : text.config;
  if (!cl.config_path.empty()) {
    auto loaded = load_config_file(cl.config_path);
    if (!loaded) return fail(loaded.error().message);
    cl.config = std::move(*loaded);
  }
  apply_overrides(cl.overrides, &cl.config);
  if (auto valid = validate(cl.config); !valid) return fail(valid.error().message);
  if (cl.check_only) {
    if (!cl.config.policy.untrusted_next_hops)
      err << "sipedge: warning: " << cl.config_path
          << ": open relay: [policy] untrusted_next_hops is not set, so requests from sources "
             "outside policy.trusted may be forwarded to any address\n";
    out << "sipedge: " << cl.config_path << ": configuration is valid\n";
    cl.exit_code = 0;
  }
  return cl;
}

}  // namespace

void apply_overrides(const Overrides& o, DaemonConfig* c) {
  if (o.listeners) {
    c->listeners = *o.listeners;
    forget_origins(c, "listen");
    for (size_t i = 0; i < c->listeners.size(); ++i) {
      c->origins["listen[" + std::to_string(i) + "]"] = "--listen";
    }
  }
  if (o.dns_servers) {
    c->dns.servers = *o.dns_servers;
    c->origins["dns.servers"] = "--dns";
  }
  if (o.metrics) {
    c->metrics = o.metrics;
    c->origins["metrics.listen"] = "--metrics";
  }
  if (o.workers) {
    c->workers = *o.workers;
    c->origins["daemon.workers"] = "--workers";
  }
  if (o.record_route) c->record_route = true;
  if (o.iface) {
    c->xdp.iface = *o.iface;
    c->origins["xdp.iface"] = "--iface";
  }
  if (o.log_level) c->log_level = *o.log_level;
  append(&c->policy.trusted_networks, o.trusted);
  append(&c->policy.tls_only_networks, o.tls_only);
  append(&c->policy.deny_networks, o.deny);
  c->policy.trusted_downgrade.insert(c->policy.trusted_downgrade.end(), o.trusted_downgrade.begin(),
                                     o.trusted_downgrade.end());
  for (const StaticRoute& r : o.routes) {
    c->origins["route[" + std::to_string(c->routes.size()) + "]"] = "--route";
    c->routes.push_back(r);
  }
}

CommandLine parse_command_line(int argc, char** argv, std::string_view version, std::ostream& out,
                               std::ostream& err) {
  // CLI11 reports through exceptions and may throw on allocation: none leaves this function.
  try {
    return parse_or_exit(argc, argv, version, out, err);
  } catch (const std::exception& e) {
    err << "sipedge: " << e.what() << "\n";
    CommandLine cl;
    cl.exit_code = 2;
    return cl;
  }
}

CommandLine parse_command_line(int argc, char** argv, std::string_view version) {
  return parse_command_line(argc, argv, version, std::cout, std::cerr);
}

}  // namespace sipedge::config
