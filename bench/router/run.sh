#!/usr/bin/env bash
# Router benchmark (`make bench`): stateless SIP forwarding with the next hop from the DNS
# cache, side by side in one run, each forwarder alone on core 0 and the same load generator
# and sink on core 1:
#   1. null_forwarder (recvmmsg/sendmmsg or a TCP byte relay, no parsing): the socket floor;
#   2. Kamailio 5.6 from Debian, `-x fm`, kamailio-bench.cfg (one UDP and one TCP worker);
#   3. sipedge --workers 1 and 4. sipedge --workers 2 (skipped while not built).
# Over UDP and over TCP; per forwarder: requests forwarded/s at full load, CPU-seconds of the
# forwarder (all its processes and threads) and requests per CPU-second, the same at one
# offered load for all, then p50/p99 latency at a moderate fixed rate. Prints figures and
# ratios against the targets; no pass/fail on timing. README.md explains the method.
#
# This script prepares the machine (builds the two bench programs, installs Kamailio when
# missing, creates a network namespace whose /etc/resolv.conf points at the bench zone's
# server) and runs measure.sh inside that namespace.
#
# usage: bench/router/run.sh BUILD_DIR   (root)
# env: SIPEDGE_BASELINE_REV (a git revision to measure beside, e.g. HEAD~1),
#      ROUTER_BENCH_SECONDS (full-load window, 5), ROUTER_EQUAL_RATE (50000),
#      ROUTER_LATENCY_RATE (5000), ROUTER_BENCH_SCHED (rr | nice | none), SIPEDGE_BIN
set -euo pipefail
build=$(cd "${1:-build}" && pwd)
here=$(cd "$(dirname "$0")" && pwd)
# shellcheck source=../../tests/integration/lib/processes.sh
source "$here/../../tests/integration/lib/processes.sh"

if [ "$(id -u)" -ne 0 ]; then
  echo "bench/router: needs root (network namespace, port 53)" >&2
  exit 1
fi

if ! cmake --build "$build" --target null_forwarder sip_loadgen >/dev/null; then
  # A tree that does not configure right now (another folder mid-edit) need not stop a run
  # with programs already built.
  for program in null_forwarder sip_loadgen; do
    [ -x "$build/bench/router/$program" ] || exit 1
  done
  echo "bench/router: build failed; using the programs already in $build" >&2
fi

# SIPEDGE_BASELINE_REV=REV: also measure the daemon built from REV (a git worktree beside
# the build), for a before/after ratio of a change in the same run.
if [ -n "${SIPEDGE_BASELINE_REV:-}" ]; then
  base_src=${TMPDIR:-/tmp}/sipedge-baseline-$(git -C "$here" rev-parse --short "$SIPEDGE_BASELINE_REV")
  if [ ! -d "$base_src" ]; then
    git -C "$here" worktree add --detach "$base_src" "$SIPEDGE_BASELINE_REV" >/dev/null
  fi
  cmake -S "$base_src" -B "$base_src/build" -G Ninja -DCMAKE_BUILD_TYPE=RelWithDebInfo >/dev/null
  cmake --build "$base_src/build" --target sipedge >/dev/null
  export SIPEDGE_BASELINE_BIN=$base_src/build/tools/sipedge/sipedge
  echo "bench/router: baseline is $SIPEDGE_BASELINE_REV ($SIPEDGE_BASELINE_BIN)"
fi

if ! command -v kamailio >/dev/null && [ ! -x /usr/sbin/kamailio ]; then
  echo "bench/router: installing kamailio (Debian package) for the comparison"
  bash "$here/../../tools/install-deps.sh" kamailio >/dev/null || true
fi

ns=sebench$$
cleanup() {
  set +e
  # Anything still running in our namespace was started by measure.sh.
  kill_netns_pids "$ns"
  ip netns del "$ns" 2>/dev/null
  rm -rf "/etc/netns/$ns"
}
trap cleanup EXIT
trap "exit 130" INT TERM

ip netns add "$ns"
ip -n "$ns" link set lo up
# `ip netns exec` bind-mounts this file over /etc/resolv.conf: Kamailio's only DNS source.
mkdir -p "/etc/netns/$ns"
printf 'nameserver 127.0.0.1\noptions timeout:1 attempts:2\n' >"/etc/netns/$ns/resolv.conf"

ip netns exec "$ns" bash "$here/measure.sh" "$build"
