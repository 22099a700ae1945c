#!/usr/bin/env bash
# Integration: SIGHUP reloads policy, routes and trusted sets from the config file, in the
# same process, without losing a call.
#   calls at a steady rate through several reloads: 0 failed;
#   a [[route]] added to the file: the domain (NXDOMAIN before) reaches the static next hop;
#   policy.trusted gains the client: its sips: request over UDP, refused 403 before (R6),
#   is accepted and forwarded to the trusted-downgrade hop;
#   policy.deny gains the client: 403 to it, other sources unaffected; taken out again: 200;
#   a broken file: the reload is refused and logged with FILE:LINE: key:, the running
#   configuration stays (the route and trusted set keep working); fixed: reloads again.
# The listeners, DNS and metrics come from flags, which a reload applies again.
# Usage: reload.sh BUILD_DIR. Needs root.
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
# shellcheck source=tests/integration/lib/lab.sh
source "$here/lib/lab.sh"
lab_init sei "${1:?usage: reload.sh BUILD_DIR}"
lab_up
lab_start_nsd
lab_start_uas uas-udp u1
lab_start_responder

conf=$LAB_TMP/sipedge.toml
# write_config [TRUSTED [DENY [ROUTE_DOMAIN [LOG_LEVEL]]]]: the file the daemon reads. TRUSTED
# and DENY are TOML array bodies ('"10.10.1.2/32"'); ROUTE_DOMAIN gets a [[route]] to the
# responder. Written beside and renamed, so the daemon never reads half a file.
write_config() {
  local trusted=${1:-} deny=${2:-} route=${3:-} level=${4:-debug}
  {
    printf '[daemon]\nlog_level = "%s"\n\n' "$level"
    printf '[policy]\ntrusted = [%s]\ndeny = [%s]\n' "$trusted" "$deny"
    printf 'trusted_downgrade = ["%s:%s"]\n' "$LAB_ECHO" "$LAB_SIP_PORT"
    if [ -n "$route" ]; then
      printf '\n[[route]]\ndomain = "%s"\nnext_hop = "sip:%s:%s;transport=udp"\n' "$route" "$LAB_ECHO" "$LAB_SIP_PORT"
    fi
  } >"$conf.new"
  mv "$conf.new" "$conf"
}
status() { sed -n 's/^SIP\/2.0 \([0-9]*\).*/\1/p' <<<"$1"; }
probe() { lab_probe "$@" 2>&1 || true; }
fails() { ! "$@"; }

write_config
lab_start_sipedge "${LAB_SIPEDGE_ARGS[@]}" --config "$conf"
pid=$SIPEDGE_PID
echo_log=$LAB_TMP/responder-$LAB_ECHO.jsonl

# --- several reloads while calls run ----------------------------------------------------------------
calls=60
rc=0
lab_uac steady u1 both.lab.test "$calls" &
uac=$!
sleep 1 # calls are under way before the first reload (ordering, not a timing assertion)
reloads=0
for i in 1 2 3 4 5 6; do
  # Each reload changes something unrelated to the calls: a route for another domain, the
  # trusted set, the log level.
  if ((i % 2)); then write_config '"10.10.9.0/24"' '' "other$i.lab.test" info; else write_config; fi
  if lab_reload_sipedge; then reloads=$((reloads + 1)); fi
  sleep 0.5
done
wait "$uac" || rc=$?
check "6 SIGHUPs while the calls ran: each logged 'reloaded'" eq "$reloads" 6
lab_calls_ok steady "$calls" "calls across 6 reloads" "$rc"
check "the UAS received all $calls INVITEs" \
  eq "$(lab_request_lines "$LAB_TMP/uas-udp.msg" INVITE | grep -c '@both.lab.test SIP/2.0')" "$calls"
check "the same process (pid $pid) is still running" kill -0 "$pid"
check "... which started once (one 'sipedge ready' in the log)" eq "$(lab_log_count 'sipedge ready')" 1

# --- a static route added to the file ---------------------------------------------------------------
write_config
lab_reload_sipedge || lab_bad "reload to the base configuration"
out=$(probe "$LAB_CLIENT" "$LAB_EDGE" 5060 --method MESSAGE --uri sip:bob@static.lab.test)
check "before: static.lab.test does not exist (NXDOMAIN) -> 503 ($out)" eq "$(status "$out")" 503
write_config '' '' static.lab.test
check "SIGHUP with a [[route]] for static.lab.test -> 'reloaded'" lab_reload_sipedge
out=$(probe "$LAB_CLIENT" "$LAB_EDGE" 5060 --method MESSAGE --uri sip:bob@static.lab.test)
check "after: static.lab.test goes to the route's next hop -> 200 ($out)" eq "$(status "$out")" 200
check "... the responder got it with the Request-URI untouched (R1)" \
  jsonl_true "$echo_log" '.[-1].message | startswith("MESSAGE sip:bob@static.lab.test SIP/2.0\r\n")'
lab_metrics "$LAB_TMP/metrics-route"
check "... counted as a static-route resolution" \
  ge "$(lab_metric "$LAB_TMP/metrics-route" 'sipedge_resolutions_total{outcome="static_route"}')" 1

# --- policy.trusted gains the client -------------------------------------------------------------------
sips=(--method MESSAGE --uri sips:bob@secure.lab.test --route "<sip:$LAB_ECHO:$LAB_SIP_PORT;lr>")
out=$(probe "$LAB_CLIENT" "$LAB_EDGE" 5060 "${sips[@]}")
check "before: sips: over UDP from the untrusted client -> 403 (R6) ($out)" eq "$(status "$out")" 403
write_config "\"$LAB_CLIENT/32\"" '' static.lab.test
check "SIGHUP with policy.trusted = [$LAB_CLIENT/32] -> 'reloaded'" lab_reload_sipedge
before=$(lab_responder_count "$LAB_ECHO")
out=$(probe "$LAB_CLIENT" "$LAB_EDGE" 5060 "${sips[@]}")
check "after: the same request is accepted and forwarded to the trusted-downgrade hop -> 200 ($out)" \
  eq "$(status "$out")" 200
check "... the hop received it" eq "$(lab_responder_count "$LAB_ECHO")" "$((before + 1))"

# --- policy.deny gains the client, then loses it -----------------------------------------------------
out=$(probe "$LAB_CLIENT" "$LAB_EDGE" 5060)
check "before: an OPTIONS from $LAB_CLIENT -> 200 ($out)" eq "$(status "$out")" 200
write_config "\"$LAB_CLIENT/32\"" "\"$LAB_CLIENT/32\"" static.lab.test
check "SIGHUP with policy.deny = [$LAB_CLIENT/32] -> 'reloaded'" lab_reload_sipedge
out=$(probe "$LAB_CLIENT" "$LAB_EDGE" 5060 --method MESSAGE --uri sip:bob@static.lab.test)
check "after: a MESSAGE from $LAB_CLIENT -> 403 ($out)" eq "$(status "$out")" 403
out=$(probe "$LAB_CLIENT" "$LAB_EDGE" 5060)
check "after: an OPTIONS to the router from $LAB_CLIENT -> 403 ($out)" \
  eq "$(status "$out")" 403
out=$(probe "$LAB_TRUSTED" "$LAB_EDGE" 5060)
check "after: another source ($LAB_TRUSTED) -> still 200 ($out)" eq "$(status "$out")" 200
write_config "\"$LAB_CLIENT/32\"" '' static.lab.test
check "SIGHUP with the deny entry taken out -> 'reloaded'" lab_reload_sipedge
out=$(probe "$LAB_CLIENT" "$LAB_EDGE" 5060)
check "after: an OPTIONS from $LAB_CLIENT -> 200 again ($out)" eq "$(status "$out")" 200

# --- a broken file: refused, the running configuration stays ----------------------------------------
good=$(cat "$conf")
{
  printf '%s\n' "$good"
  printf '\n[limits]\nmax_message_size = 12\n'
} >"$conf"
bad_line=$(grep -n '^max_message_size' "$conf" | cut -d: -f1)
refused_before=$(lab_log_count 'reload refused')
check "SIGHUP with max_message_size = 12 -> not reloaded" fails lab_reload_sipedge
check "... the refusal is logged once" eq "$(lab_log_count 'reload refused')" "$((refused_before + 1))"
check "... naming $conf:$bad_line: limits.max_message_size:" \
  grep -qE "reload refused, keeping the running configuration: (sipedge: )?$conf:$bad_line: limits.max_message_size: " "$LAB_TMP/sipedge.log"
out=$(probe "$LAB_CLIENT" "$LAB_EDGE" 5060 --method MESSAGE --uri sip:bob@static.lab.test)
check "... the route still works -> 200 ($out)" eq "$(status "$out")" 200
out=$(probe "$LAB_CLIENT" "$LAB_EDGE" 5060 "${sips[@]}")
check "... the trusted set still holds -> sips: over UDP 200 ($out)" eq "$(status "$out")" 200
printf '[policy]\ntrusted = ["10.10.1.2/32"\n' >"$conf"
check "SIGHUP with a TOML syntax error -> not reloaded" fails lab_reload_sipedge
check "... the refusal names the file and line 2" \
  grep -qE "reload refused, keeping the running configuration: (sipedge: )?$conf:2: " "$LAB_TMP/sipedge.log"
rm "$conf"
check "SIGHUP with the file gone -> not reloaded" fails lab_reload_sipedge
out=$(probe "$LAB_CLIENT" "$LAB_EDGE" 5060 --method MESSAGE --uri sip:bob@static.lab.test)
check "... the route still works -> 200 ($out)" eq "$(status "$out")" 200
write_config
check "SIGHUP with a good file again -> 'reloaded'" lab_reload_sipedge
out=$(probe "$LAB_CLIENT" "$LAB_EDGE" 5060 --method MESSAGE --uri sip:bob@static.lab.test)
check "... and the route is gone -> 503 ($out)" eq "$(status "$out")" 503
out=$(probe "$LAB_CLIENT" "$LAB_EDGE" 5060 "${sips[@]}")
check "... and the client is untrusted again -> 403 ($out)" eq "$(status "$out")" 403

rc=0
lab_uac after u1 both.lab.test 10 || rc=$?
lab_calls_ok after 10 "calls after all the reloads" "$rc"
check "every reload happened in the same process (pid $pid)" eq "$SIPEDGE_PID" "$pid"
check "... which is still running" kill -0 "$pid"
lab_stop_sipedge
check "sipedge exits 0 on SIGTERM" eq "$SIPEDGE_RC" 0
lab_finish
