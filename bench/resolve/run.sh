#!/usr/bin/env bash
# Resolver benchmarks (`make bench`): DNS cache hits per second beside a shared_mutex map
# (1,024 / 16,384 / 65,536 / 262,144 entries, uniform and Zipf keys, with and without a
# writer) with the memory-latency floor of each footprint; the cost (ns, heap allocations) of a fully
# cached resolution and of the router's target-list hit; cold RFC 3263 resolution against a
# local NSD; resolution with a dead first server. Prints figures and the targets of issue 8
# (met / NOT met); the exit status does not depend on timing. About a minute on 2 cores.
#
# usage: bench/resolve/run.sh BUILD_DIR
set -euo pipefail
build=$(cd "${1:-build}" && pwd)
here=$(cd "$(dirname "$0")" && pwd)
cache_bench="$build/bench/resolve/resolve_cache_hit_bench"
cached_bench="$build/bench/resolve/resolve_cached_bench"
cold_bench="$build/bench/resolve/resolve_cold_bench"
for b in "$cache_bench" "$cached_bench" "$cold_bench"; do
  [ -x "$b" ] || { echo "bench/resolve: $b not built" >&2; exit 1; }
done

# 65,536 is the daemon's default cache_max_entries.
"$cache_bench" --entries 1024,16384,65536,262144
echo
"$cached_bench"
echo

port=${SIPEDGE_BENCH_DNS_PORT:-53541}
# shellcheck source=tests/resolve/nsd_harness.sh
source "$here/../../tests/resolve/nsd_harness.sh"
start_nsd bench "$port" sipedge.test
wait_dns_ready "$cold_bench" --dns "127.0.0.1:$port" --iterations 1
"$cold_bench" --dns "127.0.0.1:$port" --iterations 300

# Outage: a silent first server (dns_blackhole) before the good one, default timeouts
# (1000 ms, 2 tries). The first resolution waits for the silent server; server health then
# puts it last, so the next ones take what the good server takes.
resolve_bin="$build/tools/sipedge-resolve/sipedge-resolve"
blackhole_bin="$build/tests/resolve/dns_blackhole"
if [ -x "$resolve_bin" ] && [ -x "$blackhole_bin" ] && command -v jq >/dev/null; then
  dead_port=$((port + 1))
  "$blackhole_bin" 127.0.0.1 "$dead_port" >"$tmp/blackhole.out" 2>&1 &
  pids+=($!)
  for _ in $(seq 1 50); do grep -q ready "$tmp/blackhole.out" && break; sleep 0.1; done
  echo
  echo "resolution with a dead first server (--dns dead --dns good, timeout 1000 ms x 2 tries):"
  "$resolve_bin" --dns "127.0.0.1:$dead_port" --dns "127.0.0.1:$port" --json \
    sip:alice@sipedge.test sip:srvonly.sipedge.test sip:plain.sipedge.test |
    jq -r '"  \(.uri): \(.elapsed_ms) ms (worst case \(.deadline_ms) ms), \(.targets | length) targets"'
fi
