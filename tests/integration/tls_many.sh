#!/usr/bin/env bash
# Integration: at least 1,000 concurrent TLS connections held by ONE sipedge worker
# (--workers 1), with the memory each costs reported (issue 11: "the 61 kB per TLS connection
# seen in older SIP proxies is the number to beat").
# tls/tls_sip.py (Debian's python3 ssl) in the client namespace opens CONNS connections to
# sipedge's TLS listener, one after the other: handshake, one OPTIONS answered 200; it keeps
# them all open and, once all are open, sends one more OPTIONS on every one of them.
# Asserted: every connection opened and answered (twice), sipedge_tls_connections sums to at
# least CONNS, the inbound handshakes were counted, sipedge holds CONNS established TCP
# connections (ss), and sipedge's memory grew by less than 64 KiB per connection (RSS from
# /proc/PID/status and Pss from smaps_rollup, before and after; printed). No timing asserted.
# Usage: tls_many.sh BUILD_DIR [CONNS]. Needs root.
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
# shellcheck source=tests/integration/lib/lab.sh
source "$here/lib/lab.sh"
# shellcheck source=tests/integration/tls/lab_tls.sh
source "$here/tls/lab_tls.sh"
lab_init stm "${1:?usage: tls_many.sh BUILD_DIR [CONNS]}"
conns=${2:-1000}
limit_kib=64
tls_require_tools openssl
# sipedge (CONNS sockets plus its own) and the client (CONNS sockets) inherit this limit.
need=$((conns + 512))
if [ "$(ulimit -Hn)" != unlimited ] && [ "$(ulimit -Hn)" -lt "$need" ]; then ulimit -Hn "$need"; fi
if [ "$(ulimit -Sn)" != unlimited ] && [ "$(ulimit -Sn)" -lt "$need" ]; then ulimit -Sn "$need"; fi
lab_up
lab_start_nsd "$(tls_zones)"
tls_pki

cat >"$LAB_TMP/sipedge.toml" <<TOML
[daemon]
workers = 1
log_level = "info"

[[listen]]
transport = "udp"
address = "$LAB_EDGE"
port = 5060

[[listen]]
transport = "tls"
address = "$LAB_EDGE"
port = $TLS_PORT
tls_certificate = "$TLS_PKI/edge.chain.crt"
tls_key = "$TLS_PKI/edge.key"

[dns]
servers = ["$LAB_DNS"]

[limits]
tcp_max_connections_per_source = $((conns + 100))
tcp_max_connections_per_worker = $((conns + 100))
tcp_idle_timeout_s = 600

[metrics]
listen = "$LAB_METRICS"
TOML
tls_start_sipedge "$LAB_TMP/sipedge.toml"

# memory_kib FIELD: sipedge's VmRSS (status) or Pss (smaps_rollup), KiB.
memory_kib() {
  case $1 in
  rss) awk '/^VmRSS:/ { print $2 }' "/proc/$SIPEDGE_PID/status" ;;
  pss) awk '/^Pss:/ { print $2 }' "/proc/$SIPEDGE_PID/smaps_rollup" ;;
  esac
}
# Warm up: a few connections first, so one-time allocations (OpenSSL tables, the first
# session, buffer pools) are not charged to the connections measured.
out=$(tls_py request "$LAB_CLIENT" "$LAB_EDGE" "$TLS_PORT" --ca "$TLS_PKI/lab.crt" --servername edge.tls.test 2>&1) ||
  lab_die "a first TLS OPTIONS failed: $out"
for _ in 1 2 3; do tls_py request "$LAB_CLIENT" "$LAB_EDGE" "$TLS_PORT" --ca "$TLS_PKI/lab.crt" >/dev/null 2>&1 || true; done
sleep 0.5
rss0=$(memory_kib rss) pss0=$(memory_kib pss)
lab_metrics "$LAB_TMP/m0"

rm -f "$LAB_TMP/many.go"
lab_bg many "$NS_CLIENT" "$LAB_PY" "$TLS_PY" many "$LAB_CLIENT" "$LAB_EDGE" "$TLS_PORT" --count "$conns" \
  --ca "$TLS_PKI/lab.crt" --servername edge.tls.test --trigger "$LAB_TMP/many.go" --timeout 20
many_pid=$LAB_LAST_PID
for _ in $(seq 1800); do
  grep -q '^{' "$LAB_TMP/many.out" && break
  kill -0 "$many_pid" 2>/dev/null || break
  sleep 0.1
done
result=$(grep '^{' "$LAB_TMP/many.out" || true)
[ -n "$result" ] || lab_die "the client reported nothing: $(tail -n 5 "$LAB_TMP/many.out")"
echo "# client: $result"
sleep 0.5
rss1=$(memory_kib rss) pss1=$(memory_kib pss)
lab_metrics "$LAB_TMP/m1"
held=$(in_edge ss -Htn state established "sport = :$TLS_PORT" | wc -l)

check "the client opened $conns TLS connections" eq "$(jq .opened <<<"$result")" "$conns"
check "every one got its OPTIONS answered 200" eq "$(jq .answered <<<"$result")" "$conns"
check "every one answered again with all $conns open (none dropped)" eq "$(jq .answered_again <<<"$result")" "$conns"
check "sipedge_tls_connections sums to at least $conns" ge "$(lab_metric "$LAB_TMP/m1" sipedge_tls_connections)" "$conns"
check "$conns inbound handshakes counted ok" \
  ge "$(tls_metric_delta "$LAB_TMP/m0" "$LAB_TMP/m1" 'sipedge_tls_handshakes_total{direction="in",result="ok"}')" "$conns"
check "no inbound handshake failed" \
  eq "$(lab_metric "$LAB_TMP/m1" 'sipedge_tls_handshakes_total{direction="in",result="failed"}')" 0
check "sipedge holds $conns established connections on its TLS port (ss: $held)" ge "$held" "$conns"
check "all held by the one worker: one worker reported" \
  grep -qE 'sipedge ready: 1 worker' "$LAB_TMP/sipedge.log"

rss_per=$(((rss1 - rss0) * 1024 / conns)) pss_per=$(((pss1 - pss0) * 1024 / conns))
echo "# memory per TLS connection: RSS $rss_per bytes (VmRSS $rss0 -> $rss1 KiB), Pss $pss_per bytes (Pss $pss0 -> $pss1 KiB), $conns connections, versions $(jq -c .versions <<<"$result")"
check "memory per TLS connection (RSS) below $limit_kib KiB: $rss_per bytes" test "$rss_per" -lt $((limit_kib * 1024))
check "memory per TLS connection (Pss) below $limit_kib KiB: $pss_per bytes" test "$pss_per" -lt $((limit_kib * 1024))

touch "$LAB_TMP/many.go"
for _ in $(seq 100); do kill -0 "$many_pid" 2>/dev/null || break; sleep 0.1; done
for _ in $(seq 100); do
  [ "$(in_edge ss -Htn state established "sport = :$TLS_PORT" | wc -l)" = 0 ] && break
  sleep 0.1
done
lab_metrics "$LAB_TMP/m2"
check "after the client closed them all, sipedge_tls_connections is back to 0" \
  eq "$(lab_metric "$LAB_TMP/m2" sipedge_tls_connections)" 0

lab_stop_sipedge
check "sipedge exits 0 on SIGTERM" eq "$SIPEDGE_RC" 0
lab_finish
