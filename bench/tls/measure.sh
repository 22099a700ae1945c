#!/usr/bin/env bash
# The measuring half of bench/tls/run.sh; runs inside the benchmark's network namespace.
# Starts each server in turn on core 0 (UDP 127.0.0.1:5060, TLS 127.0.0.1:5061), drives it
# with tls_loadgen on core 1 (its UDP responder on 127.0.0.2:5070, the Request-URI's host),
# appends tls_loadgen's JSON summaries to TMP/results.jsonl and prints the table.
#
# usage: measure.sh BUILD_DIR TMP   (TMP/pki holds server.crt, server.key, ca.crt)
set -euo pipefail
build=$1
tmp=$2
here=$(cd "$(dirname "$0")" && pwd)
# shellcheck source=../../tests/integration/lib/processes.sh
source "$here/../../tests/integration/lib/processes.sh"
loadgen=$build/bench/tls/tls_loadgen
sipedge=${SIPEDGE_BIN:-$build/tools/sipedge/sipedge}
seconds=${TLS_BENCH_SECONDS:-4}
idle=${TLS_BENCH_IDLE:-1000}
uri=sip:bench@127.0.0.2:5070
target=127.0.0.1:5061
sink=127.0.0.2:5070
# Same scheduling for both servers and the generator: real-time round-robin by default, so
# neighbours on a shared machine do not decide the result (see bench/router/measure.sh).
case ${TLS_BENCH_SCHED:-rr} in
  rr) sched=(chrt -r 1) ;;
  nice) sched=(nice -n -10) ;;
  *) sched=() ;;
esac
# Both servers and the client hold a socket per connection: soft limit up to the hard one.
ulimit -Sn "$(ulimit -Hn)"

load_before=$(cut -d' ' -f1-3 /proc/loadavg)
results=$tmp/results.jsonl
: >"$results"

# wait_listening PID: until something listens on the TLS port (bounded), false if PID died.
wait_listening() {
  for _ in $(seq 1 100); do
    kill -0 "$1" 2>/dev/null || return 1
    ss -Hltn 'sport = :5061' | grep -q . && return 0
    sleep 0.05
  done
  return 1
}

# loadgen NAME PID PHASE ARGS...: one tls_loadgen run on core 1, its summary appended to
# $results with "phase": PHASE.
loadgen() {
  local name=$1 pid=$2 phase=$3
  shift 3
  local out
  if ! out=$("${sched[@]}" taskset -c 1 "$loadgen" --target "$target" --sink "$sink" --uri "$uri" \
    --server-pid "$pid" --label "$name" "$@"); then
    echo "bench/tls: $name $phase run failed: $out" >&2
    echo "bench/tls: $name log (last lines):" >&2
    tail -n 5 "$tmp/$name.log" >&2
  fi
  [ -n "$out" ] && jq -c --arg phase "$phase" '. + {phase: $phase}' <<<"$out" >>"$results"
  return 0
}

# run_server NAME CMD...: starts CMD on core 0, measures it, stops it.
run_server() {
  local name=$1
  shift
  "${sched[@]}" taskset -c 0 "$@" >"$tmp/$name.log" 2>&1 &
  local pid=$!
  if ! wait_listening "$pid"; then
    echo "bench/tls: $name did not start:" >&2
    tail -n 20 "$tmp/$name.log" >&2
    stop_pid "$pid"
    return 0
  fi
  echo "bench/tls: measuring $name" >&2
  # Memory first, on a fresh server (freed memory of earlier phases would be reused).
  loadgen "$name" "$pid" idle --mode idle --connections "$idle" --concurrency 32
  loadgen "$name" "$pid" handshakes --mode handshakes --concurrency 16 --warmup 0.5 \
    --duration "$seconds"
  loadgen "$name" "$pid" resumed --mode handshakes --resume --concurrency 16 --warmup 0.5 \
    --duration "$seconds"
  loadgen "$name" "$pid" messages-1 --mode messages --connections 1 --window 64 --warmup 1 \
    --duration "$seconds"
  loadgen "$name" "$pid" messages-100 --mode messages --connections 100 --window 4 --warmup 1 \
    --duration "$seconds"
  if ! kill -0 "$pid" 2>/dev/null; then
    echo "bench/tls: $name exited during the run; its log:" >&2
    tail -n 20 "$tmp/$name.log" >&2
  fi
  stop_pid "$pid"
}

start_kamailio() {
  local kam
  kam=$(command -v kamailio || echo /usr/sbin/kamailio)
  if [ ! -x "$kam" ]; then
    echo "kamailio: not installed"
    return 0
  fi
  local dir=$tmp/kamailio
  mkdir -p "$dir/certs"
  cp "$here/kamailio-tls-bench.cfg" "$here/tls-bench.cfg" "$dir/"
  cp "$tmp/pki/server.crt" "$tmp/pki/server.key" "$dir/certs/"
  # -x fm: the production allocator (Debian's default qm is a debug allocator; see
  # ../shared/anchors/README.md). -DD: foreground, still forking the workers.
  run_server kamailio "$kam" -x fm -f "$dir/kamailio-tls-bench.cfg" -E -DD -m 256 -M 32 \
    -P "$dir/kamailio.pid" -Y "$dir" -w "$dir"
}

start_sipedge() {
  if [ ! -x "$sipedge" ]; then
    echo "sipedge: not built ($sipedge)"
    return 0
  fi
  cat >"$tmp/sipedge.toml" <<TOML
[daemon]
workers = 1
log_level = "warn"

[[listen]]
transport = "udp"
address = "127.0.0.1"
port = 5060

[[listen]]
transport = "tls"
address = "127.0.0.1"
port = 5061
tls_certificate = "$tmp/pki/server.crt"
tls_key = "$tmp/pki/server.key"

[limits]
tcp_max_connections_per_source = 100000
tcp_max_connections_per_worker = 100000
tcp_idle_timeout_s = 600
TOML
  run_server sipedge "$sipedge" --config "$tmp/sipedge.toml"
}

for server in ${TLS_BENCH_ORDER:-kamailio sipedge}; do
  "start_$server"
done

echo "scheduling: ${TLS_BENCH_SCHED:-rr}; load average before the run: $load_before"
bash "$here/report.sh" "$results" "$idle"
