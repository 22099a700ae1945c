#!/usr/bin/env bash
# Integration: the metrics endpoint, scraped with curl and checked with `promtool check
# metrics`, counts exactly what the test sent: SIPp calls over UDP and TCP (retransmissions
# off, so every request is sent once), OPTIONS to the router, a Max-Forwards 0, an
# unresolvable domain, a malformed request.
# Usage: metrics.sh BUILD_DIR. Needs root.
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
# shellcheck source=tests/integration/lib/lab.sh
source "$here/lib/lab.sh"
lab_init sei "${1:?usage: metrics.sh BUILD_DIR}"
command -v promtool >/dev/null || lab_die "promtool is not installed (Debian package prometheus)"
lab_up
lab_start_nsd
lab_start_uas uas-udp u1 -nr
lab_start_uas uas-tcp t1
lab_start_sipedge "${LAB_SIPEDGE_ARGS[@]}"

m=$LAB_TMP/metrics
lab_metrics "$m"
check "a scrape before any traffic passes promtool check metrics" promtool check metrics <"$m"
check "... and counts no INVITE" eq "$(lab_metric "$m" 'sipedge_sip_requests_total{method="INVITE"}')" 0

udp_calls=7 tcp_calls=3 options=2
rc=0
lab_uac m-udp u1 both.lab.test "$udp_calls" -nr || rc=$?
lab_calls_ok m-udp "$udp_calls" "UDP calls" "$rc"
rc=0
lab_uac m-tcp t1 "both.lab.test;transport=tcp" "$tcp_calls" || rc=$?
lab_calls_ok m-tcp "$tcp_calls" "TCP calls" "$rc"
status() { sed -n 's/^SIP\/2.0 \([0-9]*\).*/\1/p' <<<"$1"; }
for _ in $(seq "$options"); do
  out=$(lab_probe "$LAB_CLIENT" "$LAB_EDGE" 5060 --once 2>&1 || true)
  check "OPTIONS to the router -> 200 ($out)" eq "$(status "$out")" 200
done
out=$(lab_probe "$LAB_CLIENT" "$LAB_EDGE" 5060 --once --method MESSAGE --uri sip:bob@both.lab.test --max-forwards 0 2>&1 || true)
check "Max-Forwards 0 -> 483 ($out)" eq "$(status "$out")" 483
out=$(lab_probe "$LAB_CLIENT" "$LAB_EDGE" 5060 --once --method MESSAGE --uri sip:bob@nowhere.lab.test 2>&1 || true)
check "unresolvable -> 503 ($out)" eq "$(status "$out")" 503
out=$(lab_probe "$LAB_CLIENT" "$LAB_EDGE" 5060 --once --raw "$here/messages/missing-call-id.sip" 2>&1 || true)
check "no Call-ID -> 400 ($out)" eq "$(status "$out")" 400

lab_metrics "$m"
cp "$m" "$LAB_TMP/metrics-final"
check "the scrape passes promtool check metrics" promtool check metrics <"$m"
metric() { lab_metric "$m" "$1"; }
for method in INVITE ACK BYE; do
  check "requests in, udp, $method: $udp_calls" \
    eq "$(metric "sipedge_sip_requests_total{direction=\"in\",transport=\"udp\",method=\"$method\"}")" "$udp_calls"
  check "requests out, udp, $method: $udp_calls" \
    eq "$(metric "sipedge_sip_requests_total{direction=\"out\",transport=\"udp\",method=\"$method\"}")" "$udp_calls"
  check "requests in, tcp, $method: $tcp_calls" \
    eq "$(metric "sipedge_sip_requests_total{direction=\"in\",transport=\"tcp\",method=\"$method\"}")" "$tcp_calls"
  check "requests out, tcp, $method: $tcp_calls" \
    eq "$(metric "sipedge_sip_requests_total{direction=\"out\",transport=\"tcp\",method=\"$method\"}")" "$tcp_calls"
done
check "requests in, udp, OPTIONS: $options" \
  eq "$(metric 'sipedge_sip_requests_total{direction="in",transport="udp",method="OPTIONS"}')" "$options"
check "requests in, udp, MESSAGE (the 483, the 503 and the 400): 3" \
  eq "$(metric 'sipedge_sip_requests_total{direction="in",transport="udp",method="MESSAGE"}')" 3
check "stateless 200s (OPTIONS): $options" eq "$(metric 'sipedge_stateless_replies_total{code="200"}')" "$options"
check "stateless 483s: 1" eq "$(metric 'sipedge_stateless_replies_total{code="483"}')" 1
check "stateless 503s: 1" eq "$(metric 'sipedge_stateless_replies_total{code="503"}')" 1
check "stateless 400s: 1" eq "$(metric 'sipedge_stateless_replies_total{code="400"}')" 1
check "parse errors: 1 (the request without Call-ID)" eq "$(metric sipedge_parse_errors_total)" 1
check "2xx responses in from the UDP UAS: 2 per call (INVITE, BYE)" \
  eq "$(metric 'sipedge_sip_responses_total{direction="in",transport="udp",class="2xx"}')" "$((2 * udp_calls))"
check "1xx responses in from the UDP UAS: 1 per call (180)" \
  eq "$(metric 'sipedge_sip_responses_total{direction="in",transport="udp",class="1xx"}')" "$udp_calls"
check "2xx responses out to the UDP client: at least 2 per call" \
  ge "$(metric 'sipedge_sip_responses_total{direction="out",transport="udp",class="2xx"}')" "$((2 * udp_calls))"
check "TCP connections opened: at least 2 (client in, UAS out)" ge "$(metric sipedge_connections_opened_total)" 2
check "the DNS latency histogram counted queries" ge "$(metric sipedge_dns_latency_seconds_count)" 1

lab_stop_sipedge
check "sipedge exits 0 on SIGTERM" eq "$SIPEDGE_RC" 0
lab_finish
