#!/usr/bin/env bash
# Integration: SIPp calls (INVITE/ACK/BYE) over IPv6, end to end, with Record-Route.
#   IPv6 in, IPv6 out: the client calls [2001:db8:1::1]:5060 for v6.lab.test (SRV -> AAAA
#   only) and the UAS on [2001:db8:2::2] answers; the Request-URI arrives as sent (R1);
#   the Record-Route and Via the router writes carry a bracketed IPv6 address;
#   IPv6 in, IPv4 out (both.lab.test -> A) and IPv4 in, IPv6 out (v6.lab.test) also work.
# (proxy_behaviour.sh covers a single MESSAGE over IPv6; this is the whole dialog.)
# Usage: ipv6.sh BUILD_DIR. Needs root.
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
# shellcheck source=tests/integration/lib/lab.sh
source "$here/lib/lab.sh"
lab_init sei "${1:?usage: ipv6.sh BUILD_DIR}"
lab_up
lab_wait_ipv6 || lab_die "IPv6 addresses still tentative after 10 s"
lab_start_nsd
lab_start_uas_at uas6 u1 "$LAB_UAS6"
lab_start_uas_at uas4 u1 "$LAB_UAS"
for _ in $(seq 100); do
  [ "$(in_server ss -Hlnu "sport = :$LAB_SIP_PORT" | wc -l)" -ge 2 ] && break
  sleep 0.1
done
check "two UASs listen on :$LAB_SIP_PORT, [$LAB_UAS6] and $LAB_UAS" \
  ge "$(in_server ss -Hlnu "sport = :$LAB_SIP_PORT" | wc -l)" 2
lab_start_sipedge "${LAB_SIPEDGE_ARGS[@]}" --record-route

# call_case NAME SRC EDGE DOMAIN UAS DESCRIPTION: 10 calls, all complete, the UAS saw each
# INVITE's request line exactly as sent.
calls=10
call_case() {
  local name=$1 src=$2 edge=$3 domain=$4 uas=$5 d=$6 rc=0
  lab_uac_between "$name" u1 "$src" "$edge" "$domain" "$calls" || rc=$?
  lab_calls_ok "$name" "$calls" "$d" "$rc"
  check "$d: the UAS received every INVITE's request line exactly as sent (R1)" diff \
    <(lab_request_lines "$LAB_TMP/$name.msg" INVITE) \
    <(lab_request_lines "$LAB_TMP/$uas.msg" INVITE | grep -F "@$domain SIP/2.0")
}

call_case v6-v6 "$LAB_CLIENT6" "$LAB_EDGE6" v6.lab.test uas6 "IPv6 in, IPv6 out (SRV -> AAAA)"
check "IPv6: the UAS saw the router's Via with a bracketed IPv6 sent-by" \
  grep -aqE "^Via: SIP/2.0/UDP \[($LAB_EDGE6|$LAB_EDGE_INNER6)\]:$LAB_SIP_PORT;branch=z9hG4bK" "$LAB_TMP/uas6.msg"
check "IPv6: ... above the client's IPv6 Via (received/rport)" \
  grep -aqE "^Via: SIP/2.0/UDP \[$LAB_CLIENT6\]:[0-9]+;" "$LAB_TMP/uas6.msg"
check "IPv6: the INVITE carried the router's Record-Route with an IPv6 address" \
  grep -aqE "^Record-Route: <sip:\[[0-9a-f:]+\](:[0-9]+)?;[^>]*lr" "$LAB_TMP/uas6.msg"
check "IPv6: the UAC's ACK and BYE went back through the router (a Route header)" \
  grep -aqE "^Route: <sip:\[[0-9a-f:]+\]" "$LAB_TMP/v6-v6.msg"
check "IPv6: the UAS received the BYEs" ge "$(grep -ac '^BYE ' "$LAB_TMP/uas6.msg")" "$calls"

call_case v6-v4 "$LAB_CLIENT6" "$LAB_EDGE6" both.lab.test uas4 "IPv6 in, IPv4 out (NAPTR -> SRV -> A)"
check "IPv6 in, IPv4 out: the UAS saw the router's IPv4 Via above the client's IPv6 one" \
  grep -aqE "^Via: SIP/2.0/UDP \[$LAB_CLIENT6\]:[0-9]+;" "$LAB_TMP/uas4.msg"
call_case v4-v6 "$LAB_CLIENT" "$LAB_EDGE" v6.lab.test uas6 "IPv4 in, IPv6 out (SRV -> AAAA)"

lab_metrics "$LAB_TMP/metrics"
check "the INVITEs are counted (3 x $calls in)" \
  ge "$(lab_metric "$LAB_TMP/metrics" 'sipedge_sip_requests_total{method="INVITE",direction="in"}')" $((3 * calls))
lab_stop_sipedge
check "sipedge exits 0 on SIGTERM" eq "$SIPEDGE_RC" 0
lab_finish
