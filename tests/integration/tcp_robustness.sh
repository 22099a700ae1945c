#!/usr/bin/env bash
# Integration: TCP peers that misbehave lose their own connection and nothing else.
# While a SIPp UAC places calls over TCP from the client, peers in the attacker namespace:
#   send garbage (no request line): closed, no answer;
#   send a request with a broken header: 400 naming the fault, then closed;
#   send a 3000-byte request over limits.max_message_size = 2000: 513, then closed (and a
#   3000-byte datagram over UDP: 513);
#   stall mid-message, silent: closed by the idle timeout (limits.tcp_idle_timeout_s);
#   stall mid-message, trickling a byte at a time: holds its connection, harms nobody;
# and the calls complete, 0 failed. Then one source opening more connections than
# limits.tcp_max_connections_per_source: the extra ones are refused (closed unanswered) and
# counted, while another source's requests and calls still go through.
# One worker, so the per-source limit is exact (the table is per worker).
# Usage: tcp_robustness.sh BUILD_DIR. Needs root.
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
# shellcheck source=tests/integration/lib/lab.sh
source "$here/lib/lab.sh"
lab_init sei "${1:?usage: tcp_robustness.sh BUILD_DIR}"
lab_up
lab_start_nsd
lab_start_uas uas-tcp t1

per_source=4 idle_s=3
conf=$LAB_TMP/sipedge.toml
cat >"$conf" <<EOF
[limits]
max_message_size = 2000
tcp_idle_timeout_s = $idle_s
tcp_max_connections_per_source = $per_source
# The trickling peer below stays within its message deadline here (budgets.sh and
# forged_responses.sh test the deadline itself).
tcp_message_timeout_ms = 120000
EOF
args=("${LAB_SIPEDGE_ARGS[@]}")
for i in "${!args[@]}"; do [ "${args[i]}" = --workers ] && args[i + 1]=1; done
lab_start_sipedge "${args[@]}" --config "$conf"
check "the daemon runs one worker" grep -q "sipedge ready: 1 worker " "$LAB_TMP/sipedge.log"

# peer NAME KIND [OPTIONS...]: tcp_peer.py from the attacker; its JSON result in $LAB_TMP/NAME.json.
peer() {
  local name=$1 kind=$2
  shift 2
  lab_tcp_peer "$NS_ATTACKER" "$kind" "$LAB_ATTACKER" "$@" >"$LAB_TMP/$name.json" 2>"$LAB_TMP/$name.err" ||
    lab_bad "$name: tcp_peer.py failed: $(cat "$LAB_TMP/$name.err")"
}
# result NAME JQ: a field of a peer's result.
result() { jq -r "$2" "$LAB_TMP/$1.json" 2>/dev/null; }
status_of() { result "$1" '.responses[0] // "none"'; }

# --- the control: a well-behaved TCP peer ---------------------------------------------------------
peer control options --hold 5
check "control: an OPTIONS over TCP from the attacker's address -> 200 ($(status_of control))" \
  grep -q '^SIP/2.0 200 ' <<<"$(status_of control)"

# --- misbehaving peers while calls run -------------------------------------------------------------
lab_bg stall-trickle "$NS_ATTACKER" "$LAB_PY" "$lab_lib_dir/tcp_peer.py" stall "$LAB_ATTACKER" "$LAB_EDGE" "$LAB_SIP_PORT" \
  --trickle --hold 120 --ready "$LAB_TMP/trickle.ready" --release "$LAB_TMP/trickle.release"
trickle_pid=$LAB_LAST_PID
lab_bg stall-silent "$NS_ATTACKER" "$LAB_PY" "$lab_lib_dir/tcp_peer.py" stall "$LAB_ATTACKER" "$LAB_EDGE" "$LAB_SIP_PORT" \
  --hold 60 --ready "$LAB_TMP/silent.ready"
silent_pid=$LAB_LAST_PID
for _ in $(seq 100); do
  [ -e "$LAB_TMP/trickle.ready" ] && [ -e "$LAB_TMP/silent.ready" ] && break
  sleep 0.1
done
check "two peers stalled mid-message (headers without their end) before the calls start" \
  test -e "$LAB_TMP/trickle.ready" -a -e "$LAB_TMP/silent.ready"

calls=30
lab_uac calls t1 "both.lab.test;transport=tcp" "$calls" &
uac=$!
peer garbage garbage
peer bad bad
peer oversize oversize --size 3000
peer oversize-headers oversize-headers --size 3000
rc=0
wait "$uac" || rc=$?
check "the trickling peer was still connected when the calls ended" kill -0 "$trickle_pid"
touch "$LAB_TMP/trickle.release"
lab_calls_ok calls "$calls" "TCP calls beside the garbage, broken, oversized and stalled peers" "$rc"
check "the UAS received all $calls INVITEs over TCP" \
  eq "$(lab_request_lines "$LAB_TMP/uas-tcp.msg" INVITE | grep -c '@both.lab.test;transport=tcp SIP/2.0')" "$calls"

check "garbage: the router closed the connection ($(cat "$LAB_TMP/garbage.json"))" eq "$(result garbage .closed_by_router)" true
check "garbage: ... without answering" eq "$(result garbage '.responses | length')" 0
check "a request with a broken header: 400 ($(status_of bad))" grep -q '^SIP/2.0 400 ' <<<"$(status_of bad)"
check "... whose reason phrase names the fault (the missing ':')" grep -qF "missing ':'" <<<"$(status_of bad)"
check "... then the router closed the connection" eq "$(result bad .closed_by_router)" true
check "oversize headers: the request was 3000 bytes, all headers" eq "$(result oversize-headers .sent)" 3000
check "oversize headers: 513 ($(status_of oversize-headers))" grep -q '^SIP/2.0 513 ' <<<"$(status_of oversize-headers)"
check "oversize headers: ... then the router closed the connection" eq "$(result oversize-headers .closed_by_router)" true
check "oversize body: the request was 3000 bytes (Content-Length over the limit)" eq "$(result oversize .sent)" 3000
check "oversize body: 513 ($(status_of oversize))" \
  grep -q '^SIP/2.0 513 ' <<<"$(status_of oversize)"
check "oversize body: ... then the router closed the connection" eq "$(result oversize .closed_by_router)" true

wait "$silent_pid" || true
cp "$LAB_TMP/stall-silent.out" "$LAB_TMP/silent.json"
check "the silent stalled peer was closed by the router (idle timeout ${idle_s}s) ($(cat "$LAB_TMP/silent.json"))" \
  eq "$(result silent .closed_by_router)" true
check "... without an answer" eq "$(result silent '.responses | length')" 0
check "... and the router logged why" grep -qE "tcp from $LAB_ATTACKER:[0-9]+ closed: idle" "$LAB_TMP/sipedge.log"
wait "$trickle_pid" || true
cp "$LAB_TMP/stall-trickle.out" "$LAB_TMP/trickle.json"
check "the trickling peer got no answer to its endless message ($(cat "$LAB_TMP/trickle.json"))" \
  eq "$(result trickle '.responses | length')" 0

lab_metrics "$LAB_TMP/metrics-bad"
replies() { lab_metric "$LAB_TMP/metrics-bad" "sipedge_stateless_replies_total{code=\"$1\"}"; }
check "the 400s and 513s are counted as stateless replies ($(replies 400) 400s, $(replies 513) 513s)" \
  eq "$(($(replies 400) + $(replies 513)))" 3
check "... at least one 513 (the oversized headers)" ge "$(replies 513)" 1
check "the oversized messages are counted as too_large parse errors" \
  ge "$(lab_metric "$LAB_TMP/metrics-bad" 'sipedge_parse_errors_total{reason="too_large"}')" 1
check "the garbage is counted as a parse error" \
  ge "$(lab_metric "$LAB_TMP/metrics-bad" 'sipedge_parse_errors_total{reason="garbage"}')" 1

# --- the same size limit over UDP ----------------------------------------------------------------------
# A 3000-byte MESSAGE in one datagram ({SRC} and {PORT} filled in by sip_probe.py).
"$LAB_PY" - "$LAB_TMP/big.sip" <<'PY'
import sys
head = ("MESSAGE sip:bob@echo.lab.test SIP/2.0\n"
        "Via: SIP/2.0/UDP {SRC}:{PORT};branch=z9hG4bKbig1;rport\n"
        "Max-Forwards: 70\nFrom: <sip:big@lab.test>;tag=big\nTo: <sip:bob@echo.lab.test>\n"
        "Call-ID: big@lab.test\nCSeq: 1 MESSAGE\nContent-Type: text/plain\nContent-Length: %d\n\n")
body = "x" * (3000 - len(head % 2500) - head.count("\n"))  # LF becomes CRLF on the wire
open(sys.argv[1], "w").write(head % len(body) + body)
PY
out=$(lab_probe "$LAB_CLIENT" "$LAB_EDGE" 5060 --raw "$LAB_TMP/big.sip" 2>&1 || true)
check "a ~3000-byte MESSAGE over UDP (limit 2000) -> 513 ($out)" grep -q '^SIP/2.0 513 ' <<<"$out"

# --- one source, too many connections ---------------------------------------------------------------
lab_wait_tcp_released "$LAB_ATTACKER" || lab_bad "the router still holds connections from $LAB_ATTACKER"
many=$((per_source + 6))
lab_bg many "$NS_ATTACKER" "$LAB_PY" "$lab_lib_dir/tcp_peer.py" many "$LAB_ATTACKER" "$LAB_EDGE" "$LAB_SIP_PORT" \
  --count "$many" --hold 10 --ready "$LAB_TMP/many.ready" --release "$LAB_TMP/many.release"
many_pid=$LAB_LAST_PID
for _ in $(seq 100); do
  [ -e "$LAB_TMP/many.ready" ] && break
  sleep 0.1
done
# While the attacker holds its connections: another source over TCP, and TCP calls.
out=$(lab_probe "$LAB_CLIENT" "$LAB_EDGE" 5060 --transport tcp 2>&1 || true)
check "while $LAB_ATTACKER holds its connections, an OPTIONS over TCP from $LAB_CLIENT -> 200 ($out)" \
  grep -q '^SIP/2.0 200 ' <<<"$out"
rc=0
lab_uac calls-limit t1 "both.lab.test;transport=tcp" 10 || rc=$?
lab_calls_ok calls-limit 10 "TCP calls from $LAB_CLIENT while $LAB_ATTACKER is at its limit" "$rc"
touch "$LAB_TMP/many.release"
wait "$many_pid" || true
cp "$LAB_TMP/many.out" "$LAB_TMP/many.json"
check "$many connections from $LAB_ATTACKER: $per_source answered ($(cat "$LAB_TMP/many.json"))" \
  eq "$(result many .answered)" "$per_source"
check "... and $((many - per_source)) refused (closed unanswered)" eq "$(result many .refused)" "$((many - per_source))"
lab_metrics "$LAB_TMP/metrics-limit"
check "the refusals are counted as source_connection_limit drops" \
  eq "$(lab_metric "$LAB_TMP/metrics-limit" 'sipedge_drops_total{reason="source_connection_limit"}')" "$((many - per_source))"
check "... and logged" grep -qE "tcp connection from $LAB_ATTACKER:[0-9]+ refused" "$LAB_TMP/sipedge.log"
lab_wait_tcp_released "$LAB_ATTACKER" || lab_bad "the router still holds connections from $LAB_ATTACKER"
peer control-after options --hold 5
check "once they are closed, $LAB_ATTACKER connects again -> 200 ($(status_of control-after))" \
  grep -q '^SIP/2.0 200 ' <<<"$(status_of control-after)"

check "the router is still running" kill -0 "$SIPEDGE_PID"
lab_stop_sipedge
check "sipedge exits 0 on SIGTERM" eq "$SIPEDGE_RC" 0
lab_finish
