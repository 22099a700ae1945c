#!/usr/bin/env bash
# Branch MAC benchmark: ns per message to seal (request) and verify (response) our Via
# branch, beside the unkeyed hash over the same bytes and the proxy core's whole work per
# message, all measured in this run on core 0.
set -euo pipefail
build=${1:-build}
cmake --build "$build" --target branch_mac_bench >/dev/null
taskset -c 0 "$build/bench/proxy/branch_mac_bench" "${MAC_BENCH_ITERATIONS:-2000}" "${MAC_BENCH_ROUNDS:-200}"
