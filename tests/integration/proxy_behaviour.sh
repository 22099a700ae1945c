#!/usr/bin/env bash
# Integration: the stateless proxy's answers and routing with real peers.
#   responses go back along Via, to the rport (RFC 3581) and not to a wrong sent-by port;
#   Max-Forwards 0 -> 483; malformed requests -> 400 with a reason phrase naming the fault;
#   unresolvable domains -> 503; the first SRV target down (ICMP port unreachable) -> the
#   client's retransmission reaches the second and the calls complete (RFC 3263 4.3);
#   IPv6 in, AAAA-only next hop out.
# Usage: proxy_behaviour.sh BUILD_DIR. Needs root.
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
# shellcheck source=tests/integration/lib/lab.sh
source "$here/lib/lab.sh"
lab_init sei "${1:?usage: proxy_behaviour.sh BUILD_DIR}"
lab_up
lab_start_nsd
lab_start_uas uas-udp u1
lab_start_responder
lab_start_responder "$LAB_UAS6"
lab_start_sipedge "${LAB_SIPEDGE_ARGS[@]}"

status() { sed -n 's/^SIP\/2.0 \([0-9]*\).*/\1/p' <<<"$1"; }
probe() { lab_probe "$@" 2>&1 || true; }
echo_log=$LAB_TMP/responder-$LAB_ECHO.jsonl

# --- Via and rport ------------------------------------------------------------------------------
# The Via says port 5999, where nothing listens: the 200 arrives only if it follows rport.
out=$(probe "$LAB_CLIENT" "$LAB_EDGE" 5060 --method MESSAGE --uri sip:bob@echo.lab.test \
  --via-port 5999 --save "$LAB_TMP/rport.resp")
check "a MESSAGE through the router, Via port 5999 with rport: the 200 came back ($out)" eq "$(status "$out")" 200
check "... to the source port: the Via carries rport=<source port> and received=$LAB_CLIENT" \
  grep -qE "^Via: SIP/2.0/UDP $LAB_CLIENT:5999;.*(rport=[0-9]+.*received=$LAB_CLIENT|received=$LAB_CLIENT.*rport=[0-9]+)" "$LAB_TMP/rport.resp"
check "... with the router's own Via removed" eq "$(grep -c '^Via:' "$LAB_TMP/rport.resp")" 1
check "the responder received two Vias, the router's on top with a z9hG4bK branch" \
  jsonl_true "$echo_log" \
  '.[-1].message | test("\r\nVia: SIP/2.0/UDP [^\r]*;branch=z9hG4bK[^\r]*\r\nVia: SIP/2.0/UDP '"$LAB_CLIENT"':5999;")'
out=$(probe "$LAB_CLIENT" "$LAB_EDGE" 5060 --transport tcp --method MESSAGE --uri sip:bob@echo.lab.test)
check "the same over TCP in (UDP out) -> 200 on the client's connection ($out)" eq "$(status "$out")" 200

# --- stateless errors ------------------------------------------------------------------------------
before=$(lab_responder_count "$LAB_ECHO")
out=$(probe "$LAB_CLIENT" "$LAB_EDGE" 5060 --method MESSAGE --uri sip:bob@echo.lab.test --max-forwards 0)
check "Max-Forwards: 0 -> 483 ($out)" eq "$(status "$out")" 483
out=$(probe "$LAB_CLIENT" "$LAB_EDGE" 5060 --raw "$here/messages/missing-call-id.sip")
check "no Call-ID -> 400 ($out)" eq "$(status "$out")" 400
check "... whose reason phrase names Call-ID" grep -qi "call-id" <<<"$out"
out=$(probe "$LAB_CLIENT" "$LAB_EDGE" 5060 --raw "$here/messages/bad-max-forwards.sip")
check "Max-Forwards: seventy -> 400 ($out)" eq "$(status "$out")" 400
check "... whose reason phrase names Max-Forwards" grep -qi "max-forwards" <<<"$out"
out=$(probe "$LAB_CLIENT" "$LAB_EDGE" 5060 --raw "$here/messages/cseq-mismatch.sip")
check "CSeq method INVITE on a MESSAGE -> 400 ($out)" eq "$(status "$out")" 400
check "... whose reason phrase names CSeq" grep -qi "cseq" <<<"$out"
out=$(probe "$LAB_CLIENT" "$LAB_EDGE" 5060 --method MESSAGE --uri sip:bob@nowhere.lab.test)
check "a name that does not exist (NXDOMAIN) -> 503 ($out)" eq "$(status "$out")" 503
out=$(probe "$LAB_CLIENT" "$LAB_EDGE" 5060 --method MESSAGE --uri sip:bob@unknown.invalid)
check "a domain the DNS server refuses -> 503 ($out)" eq "$(status "$out")" 503
check "none of these reached the responder" eq "$(lab_responder_count "$LAB_ECHO")" "$before"

# --- RFC 3263 4.3 failover ----------------------------------------------------------------------------
icmp_before=$(lab_icmp_unreachables "$NS_SERVER")
rc=0
lab_uac failover u1 failover.lab.test 5 || rc=$?
lab_calls_ok failover 5 "failover (SRV 10: closed port, SRV 20: the UAS)" "$rc"
check "the closed first target was tried (the server sent ICMP port unreachable)" \
  ge "$(($(lab_icmp_unreachables "$NS_SERVER") - icmp_before))" 1
check "the UAS received all 5 INVITEs" \
  eq "$(lab_request_lines "$LAB_TMP/uas-udp.msg" INVITE | grep -c '@failover.lab.test SIP/2.0')" 5
lab_metrics "$LAB_TMP/metrics"
check "the failover is counted" ge "$(lab_metric "$LAB_TMP/metrics" sipedge_failovers_total)" 1

# --- IPv6 -------------------------------------------------------------------------------------------
out=$(probe "$LAB_CLIENT6" "$LAB_EDGE6" 5060 --method MESSAGE --uri sip:bob@v6.lab.test)
check "IPv6: a MESSAGE to [$LAB_EDGE6]:5060 for v6.lab.test (SRV -> AAAA) -> 200 ($out)" eq "$(status "$out")" 200
check "IPv6: the responder on $LAB_UAS6 received it over IPv6 with the Request-URI intact" \
  jsonl_true "$LAB_TMP/responder-$LAB_UAS6.jsonl" \
  '.[-1].message | startswith("MESSAGE sip:bob@v6.lab.test SIP/2.0\r\nVia: SIP/2.0/UDP [")'

lab_stop_sipedge
check "sipedge exits 0 on SIGTERM" eq "$SIPEDGE_RC" 0
lab_finish
