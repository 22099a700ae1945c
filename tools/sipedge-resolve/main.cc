// sipedge-resolve: prints the ordered next-hop targets RFC 3263 gives for SIP URIs.
// Exit: 0 when every URI got at least one target; 3 when one got none (JSON still printed,
// with "error"); 2 for a bad URI or bad usage.
#include <CLI/CLI.hpp>

#include <algorithm>
#include <cstdio>
#include <iostream>
#include <optional>
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
#include "sipedge/monotonic_clock.h"

namespace {

constexpr int kExitUsage = 2;
constexpr int kExitNoTarget = 3;

}  // namespace

// Resolves each URI in turn with one driver, cache and resolver (so server health and
// the cache carry over from one to the next, as in one worker of the daemon).
int main(int argc, char** argv) {
  using namespace sipedge;
  CLI::App app{
      "sipedge-resolve: print the ordered next-hop targets RFC 3263 gives for SIP URIs\n"
      "Exit status: 0 targets for every URI, 3 none for one, 2 bad URI or usage.",
      "sipedge-resolve"};
  std::vector<std::string> dns_servers;
  bool json = false;
  uint64_t seed = 0;
  std::string prefer = "interleave";
  int timeout_ms = 1000;
  int tries = 2;
  int64_t deadline_ms = resolve::ResolverConfig{}.deadline_ms;
  int64_t stale_after_ms = 1800;
  size_t cache_entries = resolve::DnsCacheConfig{}.max_entries;
  uint32_t cache_min_ttl_s = resolve::DnsCacheConfig{}.min_ttl_s;
  std::vector<std::string> uri_texts;
  app.add_option(
         "--dns", dns_servers,
         "DNS server to ask, HOST:PORT or [V6]:PORT; repeatable (default: /etc/resolv.conf)")
      ->type_name("HOST:PORT")
      ->allow_extra_args(false);
  app.add_option("--cache-entries", cache_entries, "bound on cached DNS answers")
      ->check(CLI::Range(size_t{1}, size_t{1} << 24));
  app.add_option("--cache-min-ttl-s", cache_min_ttl_s, "raise TTLs below this many seconds to it")
      ->check(CLI::Range(0u, 86400u));
  app.add_flag("--json", json, "print each result as one JSON line");
  auto* seed_opt =
      app.add_option("--seed", seed, "seed for the weighted SRV order (default: random)");
  app.add_option("--prefer", prefer, "address family order: ipv4, ipv6 or interleave")
      ->check(CLI::IsMember({"ipv4", "ipv6", "interleave"}));
  app.add_option("--timeout-ms", timeout_ms, "DNS timeout per try, in milliseconds")
      ->check(CLI::Range(1, 60000));
  app.add_option("--tries", tries, "attempts per DNS server")->check(CLI::Range(1, 10));
  app.add_option("--deadline-ms", deadline_ms,
                 "worst case from request to answer (targets, stale targets or failure), in ms")
      ->check(CLI::Range(int64_t{1}, int64_t{600000}));
  app.add_option("--stale-after-ms", stale_after_ms,
                 "serve an expired answer when its refresh takes longer, in ms (RFC 8767)")
      ->check(CLI::Range(int64_t{0}, int64_t{600000}));
  app.add_option("URI", uri_texts, "sip: or sips: URIs; - reads one per line from standard input")
      ->required();
  try {
    app.parse(argc, argv);
  } catch (const CLI::CallForHelp& e) {
    return app.exit(e);
  } catch (const CLI::ParseError& e) {
    std::cerr << "sipedge-resolve: " << e.what() << "\n";
    return kExitUsage;
  }

  resolve::AresOptions ares_options;
  ares_options.servers = dns_servers;
  ares_options.timeout_ms = timeout_ms;
  ares_options.tries = tries;

  // Every URI is checked before any DNS, so a bad one is a usage error with nothing sent.
  std::vector<resolve::ResolveRequest> requests;
  const bool from_stdin = uri_texts.size() == 1 && uri_texts[0] == "-";
  auto parse = [&](const std::string& text) -> std::optional<resolve::ResolveRequest> {
    auto uri = sip::parse_uri(text, "URI");
    if (!uri) {
      std::cerr << "sipedge-resolve: bad URI: " << uri.error().to_string() << "\n";
      return std::nullopt;
    }
    auto request = resolve::request_from_uri(*uri);
    if (!request) {
      std::cerr << "sipedge-resolve: bad URI: " << request.error() << "\n";
      return std::nullopt;
    }
    return *request;
  };
  if (!from_stdin) {
    for (const std::string& text : uri_texts) {
      auto r = parse(text);
      if (!r) return kExitUsage;
      requests.push_back(std::move(*r));
    }
  }

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
  config.deadline_ms = deadline_ms;
  resolve::CachingDnsSourceConfig source_config;
  source_config.client_response_ms = stale_after_ms;

  int exit_code = 0;
  {
    resolve::RcuThread rcu;
    resolve::DnsCacheConfig cache_config;
    cache_config.max_entries = cache_entries;
    cache_config.min_ttl_s = cache_min_ttl_s;
    resolve::DnsCache cache(cache_config);
    resolve::AresUpstream upstream(**driver);
    resolve::CachingDnsSource source(cache, upstream, monotonic_ms, source_config);
    resolve::Rfc3263Resolver resolver(source, config, monotonic_ms);
    auto resolve_one = [&](const std::string& text, const resolve::ResolveRequest& request) {
      resolve::ResolveResult result;
      bool done = false;
      const int64_t start = monotonic_ms();
      resolver.resolve(request, [&](resolve::ResolveResult&& r) {
        result = std::move(r);
        done = true;
      });
      resolve::run_poll_loop(**driver, [&] { return done; });
      if (!done) result.error = "resolution did not complete";
      const tools::Timing timing{monotonic_ms() - start, resolver.worst_case_ms()};
      if (json) {
        std::cout << tools::result_to_json(text, result, timing) << std::endl;
      } else {
        std::cout << tools::result_to_text(text, result, timing) << std::flush;
      }
      if (result.targets.empty() && exit_code == 0) exit_code = kExitNoTarget;
    };
    if (from_stdin) {
      std::string line;
      while (std::getline(std::cin, line)) {
        if (line.empty()) continue;
        auto r = parse(line);
        if (!r) {
          exit_code = kExitUsage;
          continue;
        }
        resolve_one(line, *r);
      }
    } else {
      for (size_t i = 0; i < requests.size(); ++i) resolve_one(uri_texts[i], requests[i]);
    }
    driver->reset();  // no query may outlive the cache and the resolver
  }
  return exit_code;
}
