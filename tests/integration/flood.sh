#!/usr/bin/env bash
# Integration: calls keep completing (0 failed) while a garbage UDP flood from another host
# (the attacker namespace) hits the same port: first with the router alone (it refuses the
# garbage and counts it), then with the XDP classifier attached by the daemon (--iface),
# which drops every garbage datagram before the router sees it and counts each one.
# Usage: flood.sh BUILD_DIR. Needs root and an XDP-capable kernel.
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
# shellcheck source=tests/integration/lib/lab.sh
source "$here/lib/lab.sh"
lab_init sei "${1:?usage: flood.sh BUILD_DIR}"
lab_up
lab_start_nsd
lab_start_uas uas-udp u1

flood_count=20000 flood_rate=4000 calls=20
# calls_under_flood NAME: the flood from the attacker and SIPp calls at the same time.
calls_under_flood() {
  local name=$1 rc=0
  lab_bg "$name-flood" "$NS_ATTACKER" "$LAB_PY" "$lab_lib_dir/garbage_flood.py" \
    "$LAB_ATTACKER" "$LAB_EDGE" "$LAB_SIP_PORT" "$flood_count" "$flood_rate"
  local flood_pid=$LAB_LAST_PID
  sleep 0.5 # the flood is under way before the first call (ordering, not a timing assertion)
  lab_uac "$name" u1 both.lab.test "$calls" || rc=$?
  wait "$flood_pid" || lab_die "the garbage flood failed: $(cat "$LAB_TMP/$name-flood.out")"
  check "$name: the attacker sent $flood_count garbage datagrams" eq "$(cat "$LAB_TMP/$name-flood.out")" "$flood_count"
  lab_calls_ok "$name" "$calls" "$name: calls during the flood" "$rc"
}

# --- the router alone -----------------------------------------------------------------------------
lab_start_sipedge "${LAB_SIPEDGE_ARGS[@]}"
calls_under_flood flood-router
check "the router is still running" kill -0 "$SIPEDGE_PID"
lab_metrics "$LAB_TMP/metrics-router"
refused=$(lab_metric "$LAB_TMP/metrics-router" sipedge_parse_errors_total)
echo "# the router refused $refused of $flood_count garbage datagrams (a full socket buffer may lose some)"
check "the router counted the garbage it refused" ge "$refused" 1
check "... and no more than was sent" ge "$flood_count" "$refused"
check "the router answered none of it (no 400s to garbage)" \
  eq "$(lab_metric "$LAB_TMP/metrics-router" 'sipedge_stateless_replies_total{code="400"}')" 0
lab_stop_sipedge
check "sipedge exits 0 on SIGTERM after the flood" eq "$SIPEDGE_RC" 0

# --- with XDP --------------------------------------------------------------------------------------
lab_start_sipedge "${LAB_SIPEDGE_ARGS[@]}" --iface "$LAB_IF"
malformed_before=$(lab_xdp_drop malformed)
sip_before=$(lab_xdp_class sip_udp)
calls_under_flood flood-xdp
check "XDP dropped every garbage datagram as malformed" \
  eq "$(($(lab_xdp_drop malformed) - malformed_before))" "$flood_count"
check "XDP passed the calls' SIP (INVITE, ACK, BYE at least)" ge "$(($(lab_xdp_class sip_udp) - sip_before))" $((3 * calls))
lab_metrics "$LAB_TMP/metrics-xdp"
check "the router saw none of the garbage" eq "$(lab_metric "$LAB_TMP/metrics-xdp" sipedge_parse_errors_total)" 0
check "the metrics endpoint exports the XDP malformed drops" \
  eq "$(lab_metric "$LAB_TMP/metrics-xdp" 'sipedge_xdp_drops_total{reason="malformed"}')" "$(lab_xdp_drop malformed)"
lab_stop_sipedge
check "sipedge exits 0 on SIGTERM" eq "$SIPEDGE_RC" 0
lab_finish
