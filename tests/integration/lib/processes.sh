# shellcheck shell=bash
# Stopping processes a test or benchmark started, politely first and in bounded time, shared by
# the lab (lab.sh), the ops tests and the benchmarks (bench/router, bench/tls).

# stop_pid PID: SIGTERM, up to 5 s for it to end, then SIGKILL; reaps it when it is a child of
# this shell (so the next server can bind the same ports at once).
stop_pid() {
  kill "$1" 2>/dev/null || true
  for _ in $(seq 1 50); do
    kill -0 "$1" 2>/dev/null || break
    sleep 0.1
  done
  kill -9 "$1" 2>/dev/null || true
  wait "$1" 2>/dev/null || true
}

# kill_netns_pids NS: ends every process inside network namespace NS (all started by the
# caller): SIGTERM, up to 3 s for them to end, then SIGKILL.
kill_netns_pids() {
  local pids
  pids=$(ip netns pids "$1" 2>/dev/null | tr '\n' ' ')
  [ -n "$pids" ] || return 0
  # shellcheck disable=SC2086
  kill $pids 2>/dev/null || true
  for _ in $(seq 30); do
    pids=$(ip netns pids "$1" 2>/dev/null | tr '\n' ' ')
    [ -n "$pids" ] || return 0
    sleep 0.1
  done
  # shellcheck disable=SC2086
  kill -9 $pids 2>/dev/null || true
}
