#!/usr/bin/env bash
# Integration: the edge believes only what it signed (DESIGN.md, trust boundary).
# A client's OPTIONS goes through sipedge to a next hop that records it (a sink); the
# attacker, having seen our Via (as any next hop does), sends responses with it on top:
#   a made-up branch, the real branch above another victim, the real branch with received
#   or rport altered, an RFC 2543 (no branch) Via below ours, a /TCP Via to an internal host;
# none reaches anybody (sinks at the victims' addresses stay empty, no connection to the
# internal host) and each is counted as forged_branch. The genuine response built from what
# the next hop received reaches the client. Then the restart case: a response to a request
# forwarded before a restart is still routed when [daemon] secret_file is the same file,
# and dropped (counted) after a restart with a random secret.
# Usage: forged_responses.sh BUILD_DIR. Needs root.
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
# shellcheck source=tests/integration/lib/lab.sh
source "$here/lib/lab.sh"
lab_init sef "${1:?usage: forged_responses.sh BUILD_DIR}"
lab_up
lab_start_nsd

forge() { "$LAB_PY" "$lab_lib_dir/forge.py" "$@"; }
# A next hop that records what it gets and never answers, and two victims.
hop_port=5080 victim_port=7000 internal_port=5070
lab_bg hop "$NS_SERVER" "$LAB_PY" "$lab_lib_dir/forge.py" sink "$LAB_ECHO" "$hop_port" "$LAB_TMP/hop.jsonl"
lab_wait_listen "$NS_SERVER" u "$hop_port" "$LAB_LAST_PID" || lab_die "the hop sink did not start"
lab_bg victim "$NS_CLIENT" "$LAB_PY" "$lab_lib_dir/forge.py" sink "$LAB_CLIENT" "$victim_port" "$LAB_TMP/victim.jsonl"
lab_wait_listen "$NS_CLIENT" u "$victim_port" "$LAB_LAST_PID" || lab_die "the victim sink did not start"
lab_bg internal "$NS_SERVER" "$LAB_PY" "$lab_lib_dir/forge.py" sink "$LAB_UAS" "$internal_port" "$LAB_TMP/internal.jsonl"
lab_wait_listen "$NS_SERVER" t "$internal_port" "$LAB_LAST_PID" || lab_die "the internal sink did not start"

secret=$LAB_TMP/secret
head -c 48 /dev/urandom >"$secret"
chmod 600 "$secret"
conf=$LAB_TMP/sipedge.toml
printf '[daemon]\nsecret_file = "%s"\n' "$secret" >"$conf"
lab_start_sipedge "${LAB_SIPEDGE_ARGS[@]}" --config "$conf"
check "the daemon read its secret from the file" grep -q "secret from $secret" "$LAB_TMP/sipedge.log"

# request N URI: an OPTIONS from the client through sipedge (once, no retransmission), in the
# background; its final response (or the failure) in $LAB_TMP/probe-N.out.
request() {
  lab_bg "probe-$1" "$NS_CLIENT" "$LAB_PY" "$lab_lib_dir/sip_probe.py" "$LAB_CLIENT" "$LAB_EDGE" 5060 \
    --once --timeout "${3:-20}" --uri "$2"
  eval "probe_$1=$LAB_LAST_PID"
}
# hop_requests: how many requests the hop has recorded.
hop_requests() {
  local n
  n=$(grep -c '"message": "OPTIONS ' "$LAB_TMP/hop.jsonl" 2>/dev/null) || true
  echo "${n:-0}"
}
wait_hop() {
  for _ in $(seq 100); do
    [ "$(hop_requests)" -ge "$1" ] && return 0
    sleep 0.1
  done
  return 1
}

request 1 "sip:bob@$LAB_ECHO:$hop_port"
wait_hop 1 || lab_die "the OPTIONS never reached the hop"
# The Vias as the hop received them: ours on top, the client's (with received/rport) below.
vias=$(jq -rs '[.[] | select(.message | startswith("OPTIONS ")) | .message][0]' "$LAB_TMP/hop.jsonl" |
  tr -d '\r' | grep -i '^Via:')
ours=$(sed -n 1p <<<"$vias")
client=$(sed -n 2p <<<"$vias")
check "our Via carries a branch of our layout (flow.loop.MAC) ($ours)" \
  grep -qE 'branch=z9hG4bK[0-9a-f]{16}\.[0-9a-f]{16}\.[0-9a-f]{24};' <<<"$ours"
check "the client's Via below ours carries received and rport ($client)" \
  grep -qE "rport=[0-9]+;received=$LAB_CLIENT" <<<"$client"

# forged NAME VIA_ROWS: a 200 for the OPTIONS with these Via rows, sent by the attacker.
forged() {
  local name=$1 rows=$2
  {
    printf 'SIP/2.0 200 OK\n%s\n' "$rows"
    printf 'From: <sip:probe@lab.test>;tag=x\nTo: <sip:bob@lab.test>;tag=y\n'
    printf 'Call-ID: forged-%s@lab.test\nCSeq: 1 OPTIONS\nContent-Length: 0\n\n' "$name"
  } >"$LAB_TMP/$name.sip"
  in_attacker "$LAB_PY" "$lab_lib_dir/forge.py" send "$LAB_ATTACKER" "$LAB_EDGE" 5060 "$LAB_TMP/$name.sip" >/dev/null
}
made_up=$(sed -E 's/branch=z9hG4bK[0-9a-f.]+;/branch=z9hG4bK2000000000000000.0123456789abcdef.0123456789abcdef01234567;/' <<<"$ours")
victim_via="Via: SIP/2.0/UDP $LAB_CLIENT:$victim_port;branch=z9hG4bK-victim;rport=$victim_port;received=$LAB_CLIENT"
forged made-up "$made_up
$victim_via"
forged victim-below "$ours
$victim_via"
forged received-altered "$ours
$(sed -E "s/received=$LAB_CLIENT/received=$LAB_UAS/" <<<"$client")"
forged rport-altered "$ours
$(sed -E "s/rport=[0-9]+/rport=$victim_port/" <<<"$client")"
forged rfc2543-below "$ours
Via: SIP/2.0/UDP $LAB_CLIENT:$victim_port"
forged tcp-internal "$ours
Via: SIP/2.0/TCP $LAB_UAS:$internal_port;branch=z9hG4bK-internal"
sleep 0.5
check "no forged response reached the victim" eq "$(wc -l <"$LAB_TMP/victim.jsonl")" 0
check "no connection was opened to the internal host" eq "$(wc -l <"$LAB_TMP/internal.jsonl")" 0
check "the client got no answer yet (the probe still waits)" kill -0 "$probe_1"
lab_metrics "$LAB_TMP/metrics-forged"
forged_count=$(lab_metric "$LAB_TMP/metrics-forged" 'sipedge_responses_dropped_total{reason="forged_branch"}')
check "the 6 forged responses are counted as forged_branch ($forged_count)" eq "$forged_count" 6

# The genuine response, from the hop, reaches the client.
in_server "$LAB_PY" "$lab_lib_dir/forge.py" respond "$LAB_ECHO" "$LAB_EDGE" 5060 "$LAB_TMP/hop.jsonl" >/dev/null
rc=0
wait "$probe_1" || rc=$?
check "the genuine 200 reached the client ($(cat "$LAB_TMP/probe-1.out"))" \
  grep -q '^SIP/2.0 200 ' "$LAB_TMP/probe-1.out"
check "... the probe exited 0" eq "$rc" 0

# --- a restart keeps responses in flight when the secret file is the same -------------------------
request 2 "sip:bob@$LAB_ECHO:$hop_port"
wait_hop 2 || lab_die "the second OPTIONS never reached the hop"
lab_stop_sipedge
check "sipedge exits 0 on SIGTERM" eq "$SIPEDGE_RC" 0
lab_start_sipedge "${LAB_SIPEDGE_ARGS[@]}" --config "$conf"
in_server "$LAB_PY" "$lab_lib_dir/forge.py" respond "$LAB_ECHO" "$LAB_EDGE" 5060 "$LAB_TMP/hop.jsonl" --index 1 >/dev/null
rc=0
wait "$probe_2" || rc=$?
check "same secret_file: the response to a request forwarded before the restart reaches the client ($(cat "$LAB_TMP/probe-2.out"))" \
  grep -q '^SIP/2.0 200 ' "$LAB_TMP/probe-2.out"

request 3 "sip:bob@$LAB_ECHO:$hop_port" 6
wait_hop 3 || lab_die "the third OPTIONS never reached the hop"
lab_stop_sipedge
lab_start_sipedge "${LAB_SIPEDGE_ARGS[@]}"
check "without secret_file the daemon says the secret is random" grep -q "no \[daemon\] secret_file" "$LAB_TMP/sipedge.log"
in_server "$LAB_PY" "$lab_lib_dir/forge.py" respond "$LAB_ECHO" "$LAB_EDGE" 5060 "$LAB_TMP/hop.jsonl" --index 2 >/dev/null
rc=0
wait "$probe_3" || rc=$?
check "random secret: the response to a request forwarded before the restart is dropped (probe: $rc)" eq "$rc" 1
lab_metrics "$LAB_TMP/metrics-restart"
check "... and counted as forged_branch" \
  eq "$(lab_metric "$LAB_TMP/metrics-restart" 'sipedge_responses_dropped_total{reason="forged_branch"}')" 1

# --- the secret file must be private --------------------------------------------------------------
lab_stop_sipedge
chmod 640 "$secret"
rc=0
out=$(nsenter --net="/run/netns/$NS_EDGE" "$SIPEDGE" "${LAB_SIPEDGE_ARGS[@]}" --config "$conf" 2>&1) || rc=$?
check "a group-readable secret_file is refused at start (exit $rc)" eq "$rc" 1
check "... naming the file and why ($(tail -n 1 <<<"$out"))" grep -q "$secret.*group or others" <<<"$out"
lab_finish
