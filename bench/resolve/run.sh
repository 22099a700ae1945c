#!/usr/bin/env bash
# Resolver benchmarks (`make bench`): cache hits per second beside a shared_mutex map, and
# cold RFC 3263 resolution against a local NSD. Prints figures and ratios; no pass/fail
# on timing.
#
# usage: bench/resolve/run.sh BUILD_DIR
set -euo pipefail
build=$(cd "${1:-build}" && pwd)
here=$(cd "$(dirname "$0")" && pwd)
cache_bench="$build/bench/resolve/resolve_cache_hit_bench"
cold_bench="$build/bench/resolve/resolve_cold_bench"
for b in "$cache_bench" "$cold_bench"; do
  [ -x "$b" ] || { echo "bench/resolve: $b not built" >&2; exit 1; }
done

"$cache_bench" --entries 1024
echo
"$cache_bench" --entries 16384 | sed -n '1,9p'
echo

port=${SIPEDGE_BENCH_DNS_PORT:-53541}
# shellcheck source=tests/resolve/nsd_harness.sh
source "$here/../../tests/resolve/nsd_harness.sh"
start_nsd bench "$port" sipedge.test
wait_dns_ready "$cold_bench" --dns "127.0.0.1:$port" --iterations 1
"$cold_bench" --dns "127.0.0.1:$port" --iterations 300
