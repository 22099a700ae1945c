#!/usr/bin/env bash
# The measuring half of bench/router/run.sh; runs inside the benchmark's network namespace
# (run.sh creates it). Starts NSD on 127.0.0.1:53 with bench.test.zone, then each forwarder
# in turn on 127.0.0.1:5060 (core 0) with sip_loadgen (core 1) driving it and receiving on
# 127.0.0.1:5070, and prints the table.
#
# usage: measure.sh BUILD_DIR   (env: SIPEDGE_BIN, SIPEDGE_BASELINE_BIN)
set -euo pipefail
build=$1
here=$(cd "$(dirname "$0")" && pwd)
# shellcheck source=../../tests/integration/lib/processes.sh
source "$here/../../tests/integration/lib/processes.sh"
loadgen=$build/bench/router/sip_loadgen
null_forwarder=$build/bench/router/null_forwarder
sipedge=${SIPEDGE_BIN:-$build/tools/sipedge/sipedge}
seconds=${ROUTER_BENCH_SECONDS:-5}
equal_rate=${ROUTER_EQUAL_RATE:-50000}
latency_rate=${ROUTER_LATENCY_RATE:-5000}
paced_seconds=3
listen=127.0.0.1:5060
sink=127.0.0.1:5070
udp_uri=sip:bench@bench.test
tcp_uri=sip:bench@tcp.bench.test
# Every forwarder and the generator run with the same scheduling, by default real-time
# round-robin (priority 1; the sink thread raises itself to FIFO 2): on a machine doing other
# work (CI neighbours, compilers) the measured processes still get their cores at once, as on
# dedicated cores. The kernel's RT throttling keeps 5 % of each core for everything else.
# ROUTER_BENCH_SCHED=nice uses nice -10 instead, =none the default policy.
case ${ROUTER_BENCH_SCHED:-rr} in
  rr) sched=(chrt -r 1) ;;
  nice) sched=(nice -n -10) ;;
  *) sched=() ;;
esac
on_core() { local core=$1; shift; "${sched[@]}" taskset -c "$core" "$@"; }

load_before=$(cut -d' ' -f1-3 /proc/loadavg)
# shellcheck source=../../tests/resolve/nsd_harness.sh
source "$here/../../tests/resolve/nsd_harness.sh"
cp "$here/bench.test.zone" "$tmp/"
start_nsd bench 53 bench.test
naptr_answered() { kdig @127.0.0.1 -p 53 +timeout=1 +retry=0 +short bench.test NAPTR | grep -q SIP+D2U; }
wait_dns_ready naptr_answered
results=$tmp/results.jsonl
: >"$results"

# loadgen_run NAME PID TRANSPORT URI PHASE ARGS...: one sip_loadgen run, its summary appended
# to $results with "phase": PHASE.
loadgen_run() {
  local name=$1 pid=$2 transport=$3 uri=$4 phase=$5
  shift 5
  on_core 1 "$loadgen" --transport "$transport" --uri "$uri" --target "$listen" \
    --sink "$sink" --cpu-pid "$pid" --label "$name" "$@" |
    jq -c --arg phase "$phase" '. + {phase: $phase}' >>"$results" ||
    echo "bench/router: $name $transport $phase run failed" >&2
}

# measure NAME PID: the six load runs against the forwarder PID, appended to $results.
measure() {
  local name=$1 pid=$2 transport uri
  for transport in udp tcp; do
    if ! kill -0 "$pid" 2>/dev/null; then
      echo "bench/router: $name exited; its log:" >&2
      tail -n 20 "$tmp/$name.log" >&2
      return 0
    fi
    uri=$udp_uri
    [ "$transport" = tcp ] && uri=$tcp_uri
    # Full load (capacity), the same offered load for all (CPU per request where none of
    # them is saturated), a moderate rate with one request per send (latency).
    loadgen_run "$name" "$pid" "$transport" "$uri" load --rate 0 --duration "$seconds"
    loadgen_run "$name" "$pid" "$transport" "$uri" equal --rate "$equal_rate" \
      --duration "$paced_seconds"
    loadgen_run "$name" "$pid" "$transport" "$uri" latency --rate "$latency_rate" \
      --duration "$paced_seconds" --batch 1
  done
}

# run_forwarder NAME CMD...: starts CMD on core 0, measures it, stops it.
run_forwarder() {
  local name=$1
  shift
  "${sched[@]}" taskset -c 0 "$@" >"$tmp/$name.log" 2>&1 &
  local pid=$!
  pids+=("$pid")
  sleep 0.5
  if ! kill -0 "$pid" 2>/dev/null; then
    echo "bench/router: $name did not start:" >&2
    tail -n 20 "$tmp/$name.log" >&2
    return 0
  fi
  echo "bench/router: measuring $name" >&2
  measure "$name" "$pid"
  stop_pid "$pid"
}

run_forwarder null "$null_forwarder" --listen "$listen" --sink "$sink"

kamailio_dir=$tmp/kamailio
mkdir -p "$kamailio_dir"
if kamailio=$(command -v kamailio || ls /usr/sbin/kamailio 2>/dev/null); then
  # -x fm: a production allocator (Debian's default qm is a debug allocator; see
  # ../shared/anchors/README.md). -DD: stay in the foreground, still forking the workers.
  run_forwarder kamailio "$kamailio" -x fm -f "$here/kamailio-bench.cfg" -E -DD -m 256 -M 32 \
    -P "$kamailio_dir/kamailio.pid" -Y "$kamailio_dir" -w "$kamailio_dir"
else
  echo "kamailio: not installed"
fi

# Before/after in one run: the same daemon from another revision (run.sh builds it when
# SIPEDGE_BASELINE_REV is set), e.g. the commit before a change on the hot path.
baseline=${SIPEDGE_BASELINE_BIN:-}
if [ -n "$baseline" ] && [ -x "$baseline" ]; then
  run_forwarder baseline-1w "$baseline" --listen "udp:$listen" --listen "tcp:$listen" \
    --dns 127.0.0.1:53 --workers 1
fi

if [ -x "$sipedge" ]; then
  run_forwarder sipedge-1w "$sipedge" --listen "udp:$listen" --listen "tcp:$listen" \
    --dns 127.0.0.1:53 --workers 1
  run_forwarder sipedge-2w "$sipedge" --listen "udp:$listen" --listen "tcp:$listen" \
    --dns 127.0.0.1:53 --workers 2
else
  echo "sipedge: not built ($sipedge)"
fi

echo "scheduling: ${ROUTER_BENCH_SCHED:-rr}; load average before the run: $load_before"
bash "$here/report.sh" "$results" "$equal_rate" "$latency_rate"
