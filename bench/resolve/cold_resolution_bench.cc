// Cold RFC 3263 resolution against a local authoritative server: sequential round trips
// for NAPTR → SRV → A/AAAA, queries sent, and time per resolution beside the time of one
// plain A query to the same server (the baseline, measured in the same run).
//
// usage: resolve_cold_bench --dns HOST:PORT [--domain D] [--iterations N]
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <string>

#include "resolve/ares_upstream.h"
#include "resolve/caching_dns_source.h"
#include "resolve/dns_cache.h"
#include "resolve/poll_loop.h"
#include "resolve/rcu_thread.h"
#include "resolve/rfc3263_resolver.h"

using namespace sipedge::resolve;
using Clock = std::chrono::steady_clock;

int main(int argc, char** argv) {
  std::string dns;
  std::string domain = "sipedge.test";
  int iterations = 200;
  for (int i = 1; i + 1 < argc; i += 2) {
    if (!std::strcmp(argv[i], "--dns")) dns = argv[i + 1];
    if (!std::strcmp(argv[i], "--domain")) domain = argv[i + 1];
    if (!std::strcmp(argv[i], "--iterations")) iterations = std::atoi(argv[i + 1]);
  }
  if (dns.empty() || iterations <= 0) {
    std::fprintf(stderr,
                 "usage: resolve_cold_bench --dns HOST:PORT [--domain D] [--iterations N]\n");
    return 2;
  }
  AresOptions options;
  options.servers = {dns};
  auto driver = AresDriver::create(options);
  if (!driver) {
    std::fprintf(stderr, "resolve_cold_bench: %s\n", driver.error().c_str());
    return 2;
  }

  RcuThread rcu;
  // Every resolution starts cold: the injected clock jumps past every TTL and stale window.
  int64_t now_ms = 0;
  constexpr int64_t kJumpMs = int64_t{10} * 365 * 24 * 3600 * 1000;
  DnsCache cache;
  AresUpstream upstream(**driver);
  CachingDnsSource source(cache, upstream, [&] { return now_ms; });
  ResolverConfig config;
  config.seed = 1;
  Rfc3263Resolver resolver(source, config, [&] { return now_ms; });

  ResolveRequest request;
  request.host = domain;

  // Baseline: one A query for the first target's host, same server, same loop.
  auto one_query = [&](const std::string& name) {
    bool done = false;
    (*driver)->query(name, RrType::kA, [&](int, const unsigned char*, int) { done = true; });
    run_poll_loop(**driver, [&] { return done; });
  };

  ResolveResult last;
  int max_round_trips = 0;
  size_t queries = 0;
  double resolve_s = 0;
  for (int i = 0; i < iterations; ++i) {
    now_ms += kJumpMs;
    bool done = false;
    const auto t0 = Clock::now();
    resolver.resolve(request, [&](ResolveResult&& r) {
      last = std::move(r);
      done = true;
    });
    run_poll_loop(**driver, [&] { return done; });
    resolve_s += std::chrono::duration<double>(Clock::now() - t0).count();
    if (!done || last.targets.empty()) {
      std::fprintf(stderr, "resolve_cold_bench: resolution failed: %s\n", last.error.c_str());
      return 1;
    }
    max_round_trips = std::max(max_round_trips, last.round_trips);
    queries = last.steps.size();
  }
  const std::string host = last.targets.front().host;
  double query_s = 0;
  for (int i = 0; i < iterations; ++i) {
    const auto t0 = Clock::now();
    one_query(host);
    query_s += std::chrono::duration<double>(Clock::now() - t0).count();
  }
  const double per_resolve_us = resolve_s / iterations * 1e6;
  const double per_query_us = query_s / iterations * 1e6;
  std::printf("cold RFC 3263 resolution of sip:%s against %s (%d runs)\n", domain.c_str(),
              dns.c_str(), iterations);
  std::printf("  sequential round trips (NAPTR -> SRV -> A/AAAA): %d (target 3) -> %s\n",
              max_round_trips, max_round_trips <= 3 ? "met" : "NOT met");
  std::printf("  DNS queries per resolution: %zu, %zu targets\n", queries, last.targets.size());
  std::printf("  time per cold resolution: %.1f us; one A query: %.1f us; ratio %.2fx\n",
              per_resolve_us, per_query_us, per_resolve_us / per_query_us);
  driver->reset();
  return 0;
}
