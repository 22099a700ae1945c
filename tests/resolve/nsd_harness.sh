# shellcheck shell=bash
# Shared by the resolver integration test and the resolver benchmark: starts NSD (Debian's
# authoritative server) in the foreground on a loopback port with its own config in a temp
# dir, serving zones from tests/resolve/zones/, and kills it (and anything else in $pids)
# on exit, failure included.
#
# usage: source nsd_harness.sh; start_nsd NAME PORT ZONE...; wait_dns_ready CMD...
nsd_harness_dir=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
nsd_bin=$(command -v nsd || echo /usr/sbin/nsd)

if ! command -v "$nsd_bin" >/dev/null; then
  echo "nsd_harness: nsd is not installed (Debian package nsd)" >&2
  exit 1
fi

tmp=$(mktemp -d /tmp/sipedge-nsd.XXXXXX)
pids=()
nsd_harness_cleanup() {
  for p in "${pids[@]}"; do kill "$p" 2>/dev/null || true; done
  for p in "${pids[@]}"; do wait "$p" 2>/dev/null || true; done
  rm -rf "$tmp"
}
trap nsd_harness_cleanup EXIT INT TERM
cp "$nsd_harness_dir"/zones/*.zone "$tmp"/

# start_nsd NAME PORT ZONE...: one NSD in the foreground (backgrounded here) serving ZONEs.
start_nsd() {
  local name=$1 port=$2
  shift 2
  mkdir -p "$tmp/$name"
  cat >"$tmp/$name/nsd.conf" <<EOF
server:
  ip-address: 127.0.0.1@$port
  port: $port
  do-ip6: no
  username: ""
  chroot: ""
  zonesdir: "$tmp"
  database: ""
  xfrdir: "$tmp/$name"
  pidfile: "$tmp/$name/nsd.pid"
  xfrdfile: "$tmp/$name/xfrd.state"
  zonelistfile: "$tmp/$name/zone.list"
  logfile: "$tmp/$name/nsd.log"
  server-count: 1
  verbosity: 1
  # Response rate limiting would drop answers to the tests' and benchmarks' bursts from
  # 127.0.0.1 (c-ares then waits for its retry timeout): off for this loopback-only server.
  rrl-ratelimit: 0
  rrl-whitelist-ratelimit: 0
remote-control:
  control-enable: no
EOF
  for zone in "$@"; do
    printf 'zone:\n  name: "%s"\n  zonefile: "%s.zone"\n' "$zone" "$zone" >>"$tmp/$name/nsd.conf"
  done
  "$nsd_bin" -d -c "$tmp/$name/nsd.conf" >"$tmp/$name/nsd.out" 2>&1 &
  pids+=($!)
}

# wait_dns_ready CMD...: retries CMD (bounded) until it succeeds: readiness, not timing.
wait_dns_ready() {
  for _ in $(seq 1 100); do
    if "$@" >/dev/null 2>&1; then
      return 0
    fi
    sleep 0.1
  done
  echo "nsd_harness: DNS server not ready: $*" >&2
  cat "$tmp"/*/nsd.out "$tmp"/*/nsd.log >&2 2>/dev/null || true
  return 1
}
