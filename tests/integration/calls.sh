#!/usr/bin/env bash
# Integration: SIPp UAC -> sipedge -> SIPp UAS calls (INVITE/ACK/BYE) with the next hop found
# through RFC 3263 from the lab's NSD: over UDP, over TCP, in over UDP / out over TCP, and over
# TCP to a first target that refuses connections (sipedge fails over by itself).
# Every call must succeed and the UAS must receive each Request-URI byte for byte as the UAC
# sent it (R1). sipedge Record-Routes, so ACK and BYE come back through it too (R7).
# Usage: calls.sh BUILD_DIR. Needs root.
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
# shellcheck source=tests/integration/lib/lab.sh
source "$here/lib/lab.sh"
lab_init sei "${1:?usage: calls.sh BUILD_DIR}"
lab_up
lab_start_nsd
lab_start_uas uas-udp u1
lab_start_uas uas-tcp t1
lab_start_sipedge "${LAB_SIPEDGE_ARGS[@]}" --record-route

calls=10
# call_case NAME TRANSPORT DOMAIN UAS DESCRIPTION
call_case() {
  local name=$1 transport=$2 domain=$3 uas=$4 d=$5 rc=0
  lab_uac "$name" "$transport" "$domain" "$calls" || rc=$?
  lab_calls_ok "$name" "$calls" "$d" "$rc"
  check "$d: the UAS received every INVITE's request line exactly as sent (R1)" \
    diff <(lab_request_lines "$LAB_TMP/$name.msg" INVITE) \
    <(lab_request_lines "$LAB_TMP/$uas.msg" INVITE | grep -F "@$domain SIP/2.0")
  check "$d: the UAS saw $calls distinct INVITEs" \
    eq "$(lab_request_lines "$LAB_TMP/$uas.msg" INVITE | grep -cF "@$domain SIP/2.0")" "$calls"
  check "$d: the 200 OK brought sipedge's Record-Route back to the UAC" \
    grep -aq "^Record-Route: <sip:$LAB_EDGE" "$LAB_TMP/$name.msg"
  check "$d: the UAC's ACK and BYE carried it as a Route" grep -aq "^Route: <sip:$LAB_EDGE" "$LAB_TMP/$name.msg"
}

call_case udp u1 both.lab.test uas-udp "UDP (NAPTR SIP+D2U -> SRV -> A)"
call_case tcp t1 "both.lab.test;transport=tcp" uas-tcp "TCP (transport=tcp -> SRV _sip._tcp -> A)"
call_case udp-tcp u1 tcponly.lab.test uas-tcp "UDP in, TCP out (only _sip._tcp)"
call_case tcp-failover t1 tcpfailover.lab.test uas-tcp \
  "TCP failover (SRV 10: connection refused, SRV 20: the UAS; no client retransmission)"

# The UAS sees sipedge's Via on top of the UAC's, with an RFC 3261 branch.
check "the UAS sees sipedge's Via (branch z9hG4bK) above the UAC's" \
  grep -aqE "^Via: SIP/2.0/UDP [^;]+;branch=z9hG4bK" "$LAB_TMP/uas-udp.msg"
check "sipedge removed its own Route entry before forwarding ACK and BYE (RFC 3261 16.4)" \
  bash -c "! grep -aq '^Route:' '$LAB_TMP/uas-udp.msg' '$LAB_TMP/uas-tcp.msg'"
check "the TCP UAS received the UDP client's calls over TCP" \
  grep -aq "^INVITE sip:call-1@tcponly.lab.test SIP/2.0" "$LAB_TMP/uas-tcp.msg"

lab_stop_sipedge
check "sipedge exits 0 on SIGTERM" eq "$SIPEDGE_RC" 0
lab_finish
