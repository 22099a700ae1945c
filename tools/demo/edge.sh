#!/usr/bin/env bash
# make demo, the main part: sipedge at work in a lab of network namespaces built here
# (tests/integration/lib/lab.sh, the same lab the integration tests use):
#
#   client ─┐                                   ┌─ server: SIPp UAS
#           ├─ LAN ── [edge: sipedge + XDP] ────┤
#   attacker┘          NSD (zone lab.test)      └─ (10.10.2.x)
#
# Calls over UDP and TCP, a garbage flood dropped in XDP while calls go on, a sips: request
# refused over UDP, the metrics and the pinned XDP counters. Everything it starts is torn
# down when it ends, also on Ctrl-C. Exits non-zero when something did not work.
# usage: edge.sh BUILD_DIR
set -euo pipefail
build=$(cd "${1:-build}" && pwd)
root=$(cd "$(dirname "$0")/../.." && pwd)
# shellcheck source=tests/integration/lib/lab.sh
source "$root/tests/integration/lib/lab.sh"

step() { printf '\n\033[1m== %s\033[0m\n' "$*"; }
say() { printf '   %s\n' "$*"; }
status() { sed -n 's/^SIP\/2.0 //p' <<<"$1"; }
# calls_summary NAME: one line from SIPp's statistics.
calls_summary() {
  say "$(lab_uac_counter "$1" 'SuccessfulCall(C)') successful, $(lab_uac_counter "$1" 'FailedCall(C)') failed"
}

lab_init sdemo "$build"
step "The lab: namespaces $NS_CLIENT (client), $NS_ATTACKER (attacker), $NS_EDGE (edge), $NS_SERVER (server)"
lab_up
say "client   $LAB_CLIENT, $LAB_CLIENT6 (and $LAB_TLS_ONLY_SRC, in a network marked TLS-only)"
say "attacker $LAB_ATTACKER (same LAN as the client)"
say "edge     $LAB_EDGE on $LAB_IF (XDP), $LAB_EDGE_INNER towards the servers; it does not route IP"
say "server   $LAB_UAS (SIPp UAS)"

step "DNS: NSD serves the zone lab.test on the edge (NAPTR -> SRV -> A)"
lab_start_nsd
in_edge kdig @127.0.0.1 +short NAPTR both.lab.test | sed 's/^/   both.lab.test NAPTR /'
in_edge kdig @127.0.0.1 +short SRV _sip._udp.both.lab.test | sed 's/^/   _sip._udp.both SRV /'
in_edge kdig @127.0.0.1 +short A uas.lab.test | sed 's/^/   uas.lab.test A /'
say "RFC 3263 through it, with sipedge-resolve (the router's resolver):"
in_edge "$build/tools/sipedge-resolve/sipedge-resolve" --dns "$LAB_DNS" sip:alice@both.lab.test | sed 's/^/   /'

step "TLS: a demo CA and the edge's certificate (openssl), naming edge.lab.test and $LAB_EDGE"
pki=$LAB_TMP/pki
mkdir -p "$pki"
openssl req -x509 -newkey ec -pkeyopt ec_paramgen_curve:P-256 -nodes -days 2 \
  -subj "/CN=sipedge demo CA" -keyout "$pki/ca.key" -out "$pki/ca.crt" 2>/dev/null
openssl req -newkey ec -pkeyopt ec_paramgen_curve:P-256 -nodes -subj "/CN=edge.lab.test" \
  -keyout "$pki/edge.key" -out "$pki/edge.csr" 2>/dev/null
printf 'subjectAltName=DNS:edge.lab.test,IP:%s\n' "$LAB_EDGE" >"$pki/edge.ext"
openssl x509 -req -in "$pki/edge.csr" -CA "$pki/ca.crt" -CAkey "$pki/ca.key" -CAcreateserial \
  -days 1 -extfile "$pki/edge.ext" -out "$pki/edge.crt" 2>/dev/null
say "$(openssl x509 -in "$pki/edge.crt" -noout -subject -ext subjectAltName | tr -s '\n ' ' ')"

step "sipedge on the edge, XDP classifier attached to $LAB_IF"
lab_start_uas uas-udp u1
lab_start_uas uas-tcp t1
# A TLS listener needs its certificate, so the listeners come from a config file.
cat >"$LAB_TMP/edge.toml" <<TOML
[daemon]
workers = 2
log_level = "debug"
record_route = true
[[listen]]
transport = "udp"
address = "$LAB_EDGE"
[[listen]]
transport = "tcp"
address = "$LAB_EDGE"
[[listen]]
transport = "udp"
address = "$LAB_EDGE6"
[[listen]]
transport = "tls"
address = "$LAB_EDGE"
port = 5061
tls_certificate = "$pki/edge.crt"
tls_key = "$pki/edge.key"
[dns]
servers = ["$LAB_DNS"]
[policy]
tls_only = ["$LAB_TLS_ONLY_NET"]
[xdp]
iface = "$LAB_IF"
TOML
lab_start_sipedge --config "$LAB_TMP/edge.toml" --metrics "$LAB_METRICS" --iface "$LAB_IF"
lab_wait_listen "$NS_EDGE" t 5061 "$SIPEDGE_PID" || lab_die "sipedge: no TLS listener on 5061"
say "sipedge --config edge.toml --metrics $LAB_METRICS, edge.toml saying: UDP and TCP on"
say "  $LAB_EDGE:5060, UDP on [$LAB_EDGE6]:5060, TLS on $LAB_EDGE:5061, DNS $LAB_DNS,"
say "  Record-Route, XDP on $LAB_IF, TLS-only network $LAB_TLS_ONLY_NET"
say "its log so far:"
sed -n '2,20p' "$LAB_TMP/sipedge.log" | sed 's/^/     /'

step "10 calls over UDP: SIPp UAC -> sipedge -> SIPp UAS (INVITE, 180, 200, ACK, BYE, 200)"
rc=0
lab_uac demo-udp u1 both.lab.test 10 || rc=$?
calls_summary demo-udp
lab_calls_ok demo-udp 10 "UDP calls" "$rc" >/dev/null
say "the UAS received: $(grep -a -m1 '^INVITE ' "$LAB_TMP/uas-udp.msg" | tr -d '\r')  (the URI the UAC sent, R1)"

step "5 calls over TCP, and 5 that come in over UDP and leave over TCP (tcponly.lab.test)"
rc=0
lab_uac demo-tcp t1 "both.lab.test;transport=tcp" 5 || rc=$?
calls_summary demo-tcp
lab_calls_ok demo-tcp 5 "TCP calls" "$rc" >/dev/null
rc=0
lab_uac demo-udp-tcp u1 tcponly.lab.test 5 || rc=$?
calls_summary demo-udp-tcp
lab_calls_ok demo-udp-tcp 5 "UDP in, TCP out" "$rc" >/dev/null

step "A TLS call: SIPp UAC -> (UDP) the client's own sipedge -> (TLS) the edge -> (UDP) SIPp UAS"
# SIPp has no TLS. The client's outbound proxy (a second sipedge, in the client namespace on
# $LAB_TRUSTED) sends everything for both.lab.test to the edge's TLS listener and verifies
# the edge's certificate with the demo CA (for the name it routed to: $LAB_EDGE).
cat >"$LAB_TMP/client-proxy.toml" <<TOML
[[listen]]
transport = "udp"
address = "$LAB_TRUSTED"
[tls]
ca = "$pki/ca.crt"
[[route]]
domain = "both.lab.test"
next_hop = "sip:$LAB_EDGE:5061;transport=tls"
TOML
lab_bg client-proxy "$NS_CLIENT" "$SIPEDGE" --config "$LAB_TMP/client-proxy.toml" \
  --dns 127.0.0.1:1 --workers 1
lab_wait_listen "$NS_CLIENT" u "$LAB_SIP_PORT" "$LAB_LAST_PID" || lab_die "the client's sipedge did not start"
rc=0
lab_uac_between demo-tls u1 "$LAB_CLIENT" "$LAB_TRUSTED" both.lab.test 5 || rc=$?
calls_summary demo-tls
lab_calls_ok demo-tls 5 "calls over TLS" "$rc" >/dev/null
lab_metrics "$LAB_TMP/metrics-tls"
tls_invites=$(lab_metric "$LAB_TMP/metrics-tls" 'sipedge_sip_requests_total{direction="in",transport="tls",method="INVITE"}')
say "the edge: $tls_invites INVITEs in over TLS; TLS handshakes in: $(lab_metric "$LAB_TMP/metrics-tls" 'sipedge_tls_handshakes_total{direction="in",result="ok"}'); open now: $(lab_metric "$LAB_TMP/metrics-tls" 'sipedge_tls_connections{version="TLSv1.3"}') (TLSv1.3)"
check "INVITEs arrived over TLS" ge "$tls_invites" 5 >/dev/null
say "its certificate expires in $(lab_metric "$LAB_TMP/metrics-tls" "sipedge_tls_certificate_expiry_seconds{certificate=\"$pki/edge.crt\"}") s (sipedge_tls_certificate_expiry_seconds)"

step "A garbage flood from the attacker (20000 datagrams to port 5060) while 20 calls go on"
malformed_before=$(lab_xdp_drop malformed)
lab_bg flood "$NS_ATTACKER" "$LAB_PY" "$lab_lib_dir/garbage_flood.py" "$LAB_ATTACKER" "$LAB_EDGE" \
  "$LAB_SIP_PORT" 20000 4000
flood_pid=$LAB_LAST_PID
sleep 0.5
rc=0
lab_uac demo-flood u1 both.lab.test 20 || rc=$?
wait "$flood_pid" || true
say "attacker sent $(cat "$LAB_TMP/flood.out") datagrams; XDP dropped $(($(lab_xdp_drop malformed) - malformed_before)) as malformed"
calls_summary demo-flood
lab_calls_ok demo-flood 20 "calls under the flood" "$rc" >/dev/null

step "Policy: a sips: request over plain UDP is refused (R6); a TLS-only network's UDP is dropped in XDP (R9)"
out=$(lab_probe "$LAB_CLIENT" "$LAB_EDGE" "$LAB_SIP_PORT" --method MESSAGE --uri sips:bob@secure.lab.test 2>&1 || true)
say "MESSAGE sips:bob@secure.lab.test over UDP from $LAB_CLIENT -> $(status "$out")"
check "sips: over UDP refused with 403" eq "$(status "$out" | cut -d' ' -f1)" 403 >/dev/null
out=$(lab_probe "$LAB_TLS_ONLY_SRC" "$LAB_EDGE" "$LAB_SIP_PORT" --once --timeout 1 2>/dev/null || true)
say "OPTIONS from $LAB_TLS_ONLY_SRC (TLS-only network) over UDP -> ${out:-no answer: dropped in XDP}"
say "XDP drops for tls_required: $(lab_xdp_drop tls_required)"
out=$(lab_probe "$LAB_TLS_ONLY_SRC" "$LAB_EDGE" 5061 --transport tls --ca "$pki/ca.crt" \
  --sni edge.lab.test --uri "sip:$LAB_EDGE:5061" 2>&1 || true)
say "OPTIONS from $LAB_TLS_ONLY_SRC over TLS (certificate verified as edge.lab.test) -> $(status "$out")"
check "the TLS-only network over TLS is answered" eq "$(status "$out" | cut -d' ' -f1)" 200 >/dev/null

step "Metrics: curl http://$LAB_METRICS/metrics (checked with promtool; a subset shown)"
lab_metrics "$LAB_TMP/metrics"
if promtool check metrics <"$LAB_TMP/metrics" >"$LAB_TMP/promtool.out" 2>&1; then
  say "promtool check metrics: ok"
else
  lab_bad "promtool check metrics"
  sed 's/^/   /' "$LAB_TMP/promtool.out"
fi
grep -E '^sipedge_(sip_requests_total|stateless_replies_total|policy_decisions_total|sips_downgrades_total|xdp_drops_total|xdp_packets_total)' \
  "$LAB_TMP/metrics" | grep -v ' 0$' >"$LAB_TMP/metrics.subset" || true
sed 's/^/   /' "$LAB_TMP/metrics.subset"

step "The same XDP counters as the kernel keeps them: bpftool map dump pinned $LAB_PINS/stats"
bpftool map dump pinned "$LAB_PINS/stats" >"$LAB_TMP/bpftool.out"
cat "$LAB_TMP/bpftool.out"

step "Stop: SIGTERM, sipedge drains and exits"
lab_stop_sipedge
say "sipedge exit status $SIPEDGE_RC"
check "sipedge exits 0 on SIGTERM" eq "$SIPEDGE_RC" 0 >/dev/null
if [ "$lab_fails" != 0 ]; then
  echo "demo: $lab_fails thing(s) did not work; the lab's logs are in $LAB_TMP" >&2
  exit 1
fi
step "Done: the lab is torn down now"
