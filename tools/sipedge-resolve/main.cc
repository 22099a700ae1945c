// sipedge-resolve: prints the ordered next-hop targets RFC 3263 gives for a SIP URI.
// Exit: 0 with at least one target; 3 when resolution found none (JSON still printed, with
// "error"); 2 for a bad URI or bad usage.
#include <CLI/CLI.hpp>

#include <chrono>
#include <cstdio>
#include <iostream>
#include <random>
#include <string>
#include <vector>

#include "resolve/ares_upstream.h"
#include "resolve/caching_dns_source.h"
#include "resolve/dns_cache.h"
#include "resolve/poll_loop.h"
#include "resolve/rcu_thread.h"
#include "resolve/rfc3263_resolver.h"
#include "resolve/uri_adapter.h"
#include "result_json.h"
#include "sip/uri.h"

namespace {

constexpr int kExitUsage = 2;
constexpr int kExitNoTarget = 3;

int64_t monotonic_ms() {
  return std::chrono::duration_cast<std::chrono::milliseconds>(
             std::chrono::steady_clock::now().time_since_epoch())
      .count();
}

}  // namespace

int main(int argc, char** argv) {
  using namespace sipedge;
  CLI::App app{"Resolve a SIP URI to its ordered next-hop targets (RFC 3263)", "sipedge-resolve"};
  std::vector<std::string> dns_servers;
  bool json = false;
  uint64_t seed = 0;
  std::string prefer = "interleave";
  int timeout_ms = 1000;
  int tries = 2;
  std::string uri_text;
  app.add_option("--dns", dns_servers, "DNS server HOST:PORT ([v6]:PORT); repeatable")
      ->type_name("HOST:PORT");
  app.add_flag("--json", json, "print the result as JSON");
  auto* seed_opt = app.add_option("--seed", seed, "seed for the weighted SRV order");
  app.add_option("--prefer", prefer, "address family order")
      ->check(CLI::IsMember({"ipv4", "ipv6", "interleave"}));
  app.add_option("--timeout-ms", timeout_ms, "per-try DNS timeout")->check(CLI::Range(1, 60000));
  app.add_option("--tries", tries, "attempts per DNS server")->check(CLI::Range(1, 10));
  app.add_option("URI", uri_text, "sip: or sips: URI")->required();
  try {
    app.parse(argc, argv);
  } catch (const CLI::CallForHelp& e) {
    return app.exit(e);
  } catch (const CLI::ParseError& e) {
    std::cerr << "sipedge-resolve: " << e.what() << "\n";
    return kExitUsage;
  }

  auto uri = sip::parse_uri(uri_text, "URI");
  if (!uri) {
    std::cerr << "sipedge-resolve: bad URI: " << uri.error().to_string() << "\n";
    return kExitUsage;
  }
  auto request = resolve::request_from_uri(*uri);
  if (!request) {
    std::cerr << "sipedge-resolve: bad URI: " << request.error() << "\n";
    return kExitUsage;
  }

  resolve::AresOptions ares_options;
  ares_options.servers = dns_servers;
  ares_options.timeout_ms = timeout_ms;
  ares_options.tries = tries;
  auto driver = resolve::AresDriver::create(ares_options);
  if (!driver) {
    std::cerr << "sipedge-resolve: --dns: " << driver.error() << "\n";
    return kExitUsage;
  }

  resolve::ResolverConfig config;
  config.seed = seed_opt->count() ? seed : std::random_device{}();
  config.family = prefer == "ipv4"   ? resolve::FamilyPreference::kIpv4First
                  : prefer == "ipv6" ? resolve::FamilyPreference::kIpv6First
                                     : resolve::FamilyPreference::kInterleave;

  resolve::ResolveResult result;
  {
    resolve::RcuThread rcu;
    resolve::DnsCache cache;
    resolve::AresUpstream upstream(**driver);
    resolve::CachingDnsSource source(cache, upstream, monotonic_ms);
    resolve::Rfc3263Resolver resolver(source, config, monotonic_ms);
    bool done = false;
    resolver.resolve(*request, [&](resolve::ResolveResult&& r) {
      result = std::move(r);
      done = true;
    });
    resolve::run_poll_loop(**driver, [&] { return done; });
    if (!done) result.error = "resolution did not complete";
    driver->reset();  // no query may outlive the cache and the resolver
  }

  if (json) {
    std::cout << tools::result_to_json(uri_text, result) << "\n";
  } else {
    std::cout << tools::result_to_text(uri_text, result);
  }
  return result.targets.empty() ? kExitNoTarget : 0;
}
