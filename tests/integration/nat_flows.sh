#!/usr/bin/env bash
# Integration: subscribers behind one NAT get their own responses. Four TCP connections from
# the client's one address, each Via naming the same private sent-by (192.168.1.10:5060, what
# identical phones behind a home router write), each send a MESSAGE; the next hop answers
# over UDP (and, in the second round, over TCP). Each connection receives exactly the
# response to its own request (its Call-ID), never another's: the response goes to the
# connection named by the flow token in our Via, not to "the latest connection from that IP".
# Then a connection that closed before its response came: the response goes to a new
# connection to received:sent-by-port (RFC 3261 18.2.2), counted as response_flow_gone.
# One worker, so every connection lives in one table.
# Usage: nat_flows.sh BUILD_DIR. Needs root.
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
# shellcheck source=tests/integration/lib/lab.sh
source "$here/lib/lab.sh"
lab_init sen "${1:?usage: nat_flows.sh BUILD_DIR}"
lab_up
lab_start_nsd
lab_start_responder "$LAB_UAS"
args=("${LAB_SIPEDGE_ARGS[@]}")
for i in "${!args[@]}"; do [ "${args[i]}" = --workers ] && args[i + 1]=1; done
lab_start_sipedge "${args[@]}"

# round NAME URI: four NATed subscribers; each must get exactly its own Call-ID back.
round() {
  local name=$1 uri=$2 out
  out=$(in_client "$LAB_PY" "$lab_lib_dir/forge.py" nat "$LAB_CLIENT" "$LAB_EDGE" 5060 "$uri" 4)
  echo "$out" >"$LAB_TMP/$name.json"
  check "$name: every subscriber got a response ($out)" \
    jq -e '[.connections[] | (.got | length) >= 1] | all' "$LAB_TMP/$name.json"
  check "$name: each got only the response to its own request" \
    jq -e '[.connections[] | .got == [.sent]] | all' "$LAB_TMP/$name.json"
}
round udp-hop "sip:bob@uas.lab.test"
round tcp-hop "sip:bob@uas.lab.test;transport=tcp"

lab_metrics "$LAB_TMP/metrics"
check "no response was dropped" \
  eq "$(lab_metric "$LAB_TMP/metrics" 'sipedge_responses_dropped_total{reason="forged_branch"}')" 0

# --- the connection is gone: RFC 3261 18.2.2 -------------------------------------------------
# A hop that never answers by itself, a subscriber whose listening port (its sent-by) takes
# the new connection.
lab_bg hop "$NS_SERVER" "$LAB_PY" "$lab_lib_dir/forge.py" sink "$LAB_ECHO" 5080 "$LAB_TMP/hop.jsonl"
lab_wait_listen "$NS_SERVER" u 5080 "$LAB_LAST_PID" || lab_die "the hop sink did not start"
lab_bg listener "$NS_CLIENT" "$LAB_PY" "$lab_lib_dir/forge.py" sink "$LAB_CLIENT" 5062 "$LAB_TMP/listener.jsonl"
lab_wait_listen "$NS_CLIENT" t 5062 "$LAB_LAST_PID" || lab_die "the subscriber's listener did not start"
cat >"$LAB_TMP/gone.sip" <<EOF
MESSAGE sip:bob@$LAB_ECHO:5080 SIP/2.0
Via: SIP/2.0/TCP $LAB_CLIENT:5062;branch=z9hG4bK-gone-1
Max-Forwards: 70
From: <sip:gone@lab.test>;tag=g
To: <sip:bob@lab.test>
Call-ID: gone-1@lab.test
CSeq: 1 MESSAGE
Content-Length: 0

EOF
in_client "$LAB_PY" "$lab_lib_dir/forge.py" send "$LAB_CLIENT" "$LAB_EDGE" 5060 "$LAB_TMP/gone.sip" --tcp >/dev/null
for _ in $(seq 50); do
  grep -q 'gone-1@lab.test' "$LAB_TMP/hop.jsonl" 2>/dev/null && break
  sleep 0.1
done
in_server "$LAB_PY" "$lab_lib_dir/forge.py" respond "$LAB_ECHO" "$LAB_EDGE" 5060 "$LAB_TMP/hop.jsonl" >/dev/null
for _ in $(seq 50); do
  grep -q 'SIP/2.0 200' "$LAB_TMP/listener.jsonl" 2>/dev/null && break
  sleep 0.1
done
check "the response reached the subscriber on a new connection to its sent-by port" \
  grep -q 'gone-1@lab.test' "$LAB_TMP/listener.jsonl"
lab_metrics "$LAB_TMP/metrics-gone"
check "... counted as response_flow_gone" \
  eq "$(lab_metric "$LAB_TMP/metrics-gone" sipedge_response_flow_gone_total)" 1

lab_stop_sipedge
check "sipedge exits 0 on SIGTERM" eq "$SIPEDGE_RC" 0
lab_finish
