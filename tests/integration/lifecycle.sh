#!/usr/bin/env bash
# Integration: the daemon's life cycle as an operator sees it.
#   --version prints the version and exits 0;
#   --check-config: the repo's example etc/sipedge.toml and a small lab config -> 0 without
#   starting anything; a broken file -> 2 with "FILE:LINE: key: what is wrong";
#   a bad config file given to --config -> exit 2, the same message, nothing listening;
#   a bad flag (unknown, or a bad value) -> exit 2 naming the flag;
#   started from a config file alone it serves calls; SIGTERM -> exit 0 with "stopped" as
#   its last log line and its sockets closed; SIGINT the same.
# Usage: lifecycle.sh BUILD_DIR. Needs root.
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
# shellcheck source=tests/integration/lib/lab.sh
source "$here/lib/lab.sh"
lab_init sei "${1:?usage: lifecycle.sh BUILD_DIR}"
repo=$(cd "$here/../.." && pwd)

# run_sipedge NAME ARGS...: the daemon in the foreground (in the edge namespace once the lab
# is up), 10 s at most; stdout and stderr in $LAB_TMP/NAME.{out,err}, the exit status in $rc.
run_sipedge() {
  local name=$1
  shift
  rc=0
  if [ -e "/run/netns/$NS_EDGE" ]; then
    in_edge timeout 10 "$SIPEDGE" "$@" >"$LAB_TMP/$name.out" 2>"$LAB_TMP/$name.err" </dev/null || rc=$?
  else
    timeout 10 "$SIPEDGE" "$@" >"$LAB_TMP/$name.out" 2>"$LAB_TMP/$name.err" </dev/null || rc=$?
  fi
}
err_of() { tr '\n' ' ' <"$LAB_TMP/$1.err"; }

# --- --version ------------------------------------------------------------------------------------
run_sipedge version --version
check "--version exits 0" eq "$rc" 0
check "--version prints 'sipedge VERSION' ($(cat "$LAB_TMP/version.out"))" \
  grep -qE '^sipedge [0-9]+\.[0-9]+\.[0-9]+' "$LAB_TMP/version.out"

# --- --check-config ---------------------------------------------------------------------------------
run_sipedge check-example --check-config "$repo/etc/sipedge.toml"
check "--check-config etc/sipedge.toml (the example) exits 0 ($(err_of check-example))" eq "$rc" 0
check "... and says the file is valid" grep -qi "valid" "$LAB_TMP/check-example.out" "$LAB_TMP/check-example.err"

# The lab's own configuration: everything from the file, nothing from flags.
good=$LAB_TMP/good.toml
cat >"$good" <<EOF
[daemon]
workers = 2
log_level = "info"

[[listen]]
transport = "udp"
address = "$LAB_EDGE"
port = $LAB_SIP_PORT

[[listen]]
transport = "tcp"
address = "$LAB_EDGE"
port = $LAB_SIP_PORT

[dns]
servers = ["$LAB_DNS"]

[policy]
trusted = ["$LAB_TRUSTED/32"]

[metrics]
listen = "$LAB_METRICS"
EOF
run_sipedge check-good --check-config "$good"
check "--check-config on the lab's small config exits 0 ($(err_of check-good))" eq "$rc" 0

# Broken files: each names FILE:LINE: key: and what is wrong. Line numbers count from 1.
# broken NAME LINE KEY CONTENT: writes $LAB_TMP/NAME.toml; the expected error prefix in $want.
broken() {
  printf '%s\n' "$4" >"$LAB_TMP/$1.toml"
  want="$LAB_TMP/$1.toml:$2: $3:"
}
check_broken() {
  local name=$1 what=$2
  run_sipedge "check-$name" --check-config "$LAB_TMP/$name.toml"
  check "--check-config, $what: exit 2 ($(err_of "check-$name"))" eq "$rc" 2
  check "... stderr names '$want ...'" grep -qF -- "$want" "$LAB_TMP/check-$name.err"
}
broken bad-level 3 daemon.log_level $'[daemon]\nworkers = 1\nlog_level = "loud"'
check_broken bad-level 'log_level = "loud"'
broken bad-cidr 5 'policy.trusted[0]' $'[[listen]]\ntransport = "udp"\naddress = "127.0.0.1"\n[policy]\ntrusted = ["10.1.2.3/16"]'
check_broken bad-cidr 'a trusted CIDR with host bits set'
broken bad-port 4 'listen[0].port' $'[[listen]]\ntransport = "udp"\naddress = "127.0.0.1"\nport = 70000'
check_broken bad-port 'a listener port of 70000'
broken unknown-key 2 daemon.wrokers $'[daemon]\nwrokers = 2'
check_broken unknown-key 'a misspelt key'
printf '[daemon]\nworkers = = 2\n' >"$LAB_TMP/syntax.toml"
run_sipedge check-syntax --check-config "$LAB_TMP/syntax.toml"
check "--check-config, a TOML syntax error: exit 2 ($(err_of check-syntax))" eq "$rc" 2
check "... stderr names the file and line 2" grep -qF "$LAB_TMP/syntax.toml:2" "$LAB_TMP/check-syntax.err"
run_sipedge check-missing --check-config "$LAB_TMP/does-not-exist.toml"
check "--check-config on a file that does not exist: exit 2 ($(err_of check-missing))" eq "$rc" 2
check "... stderr names the file" grep -qF "$LAB_TMP/does-not-exist.toml" "$LAB_TMP/check-missing.err"

# --- starting with bad input: exit 2, nothing left running ----------------------------------------
lab_up
lab_start_nsd
run_sipedge config-bad --config "$LAB_TMP/bad-level.toml"
check "--config with a bad file: exit 2 ($(err_of config-bad))" eq "$rc" 2
check "... stderr names '$LAB_TMP/bad-level.toml:3: daemon.log_level:'" \
  grep -qF "$LAB_TMP/bad-level.toml:3: daemon.log_level:" "$LAB_TMP/config-bad.err"
run_sipedge flag-unknown "${LAB_SIPEDGE_ARGS[@]}" --frobnicate
check "an unknown flag: exit 2 ($(err_of flag-unknown))" eq "$rc" 2
check "... stderr names --frobnicate" grep -qF -- "--frobnicate" "$LAB_TMP/flag-unknown.err"
run_sipedge flag-listen --listen "sctp:$LAB_EDGE:5060" --dns "$LAB_DNS"
check "--listen sctp:...: exit 2 ($(err_of flag-listen))" eq "$rc" 2
check "... stderr names --listen" grep -qF -- "--listen" "$LAB_TMP/flag-listen.err"
run_sipedge flag-workers --listen "udp:$LAB_EDGE:5060" --dns "$LAB_DNS" --workers many
check "--workers many: exit 2 ($(err_of flag-workers))" eq "$rc" 2
check "... stderr names --workers" grep -qF -- "--workers" "$LAB_TMP/flag-workers.err"
run_sipedge flag-trusted "${LAB_SIPEDGE_ARGS[@]}" --trusted 10.10.1.300/32
check "--trusted 10.10.1.300/32: exit 2 ($(err_of flag-trusted))" eq "$rc" 2
check "... stderr names --trusted" grep -qF -- "--trusted" "$LAB_TMP/flag-trusted.err"
run_sipedge flag-dns "${LAB_SIPEDGE_ARGS[@]}" --dns nameserver
check "--dns nameserver: exit 2 ($(err_of flag-dns))" eq "$rc" 2
check "... stderr names --dns" grep -qF -- "--dns" "$LAB_TMP/flag-dns.err"
run_sipedge flag-over-file --config "$good" --metrics 127.0.0.1
check "a good file with a bad flag (--metrics without a port): exit 2 ($(err_of flag-over-file))" eq "$rc" 2
check "... stderr names --metrics" grep -qF -- "--metrics" "$LAB_TMP/flag-over-file.err"
check "none of these left anything listening on :$LAB_SIP_PORT" \
  eq "$(in_edge ss -Hlnut "sport = :$LAB_SIP_PORT" | wc -l)" 0

# --- a daemon from the file alone; SIGTERM drains and exits 0 -------------------------------------
lab_start_uas uas-udp u1
# lab_start_sipedge waits for the listeners it is given as flags; this one has none.
lab_start_sipedge --config "$good"
lab_wait_listen "$NS_EDGE" u "$LAB_SIP_PORT" "$SIPEDGE_PID" || lab_die "the daemon started from $good does not listen"
lab_wait_listen "$NS_EDGE" t "${LAB_METRICS##*:}" "$SIPEDGE_PID" || lab_die "no metrics endpoint from $good"
check "the daemon started from the file logs that it is ready" grep -q "sipedge ready: 2 workers" "$LAB_TMP/sipedge.log"
out=$(lab_probe "$LAB_CLIENT" "$LAB_EDGE" 5060 --transport tcp 2>&1 || true)
check "it answers an OPTIONS over TCP, a listener from the file ($out)" grep -q "^SIP/2.0 200" <<<"$out"

rc=0
lab_uac lifecycle u1 both.lab.test 5 || rc=$?
lab_calls_ok lifecycle 5 "calls through the daemon configured by the file alone" "$rc"

lab_stop_sipedge
check "SIGTERM: sipedge exits with status 0" eq "$SIPEDGE_RC" 0
check "SIGTERM: it logs that it drains" grep -qE "SIGTERM: draining" "$LAB_TMP/sipedge.log"
check "SIGTERM: its last log line is 'stopped'" \
  eq "$(grep -v '^===' "$LAB_TMP/sipedge.log" | tail -n 1 | sed 's/^<[0-9]>//')" "sipedge[main]: stopped"
check "SIGTERM: nothing listens on :$LAB_SIP_PORT any more" \
  eq "$(in_edge ss -Hlnut "sport = :$LAB_SIP_PORT" | wc -l)" 0

# SIGINT behaves the same (an operator's Ctrl-C).
lab_start_sipedge "${LAB_SIPEDGE_ARGS[@]}"
kill -INT "$SIPEDGE_PID"
rc=0
for _ in $(seq 100); do
  kill -0 "$SIPEDGE_PID" 2>/dev/null || break
  sleep 0.1
done
kill -0 "$SIPEDGE_PID" 2>/dev/null && kill -9 "$SIPEDGE_PID"
wait "$SIPEDGE_PID" || rc=$?
check "SIGINT: sipedge exits with status 0" eq "$rc" 0
check "SIGINT: it logs 'stopped' again" eq "$(lab_log_count 'sipedge\[main\]: stopped$')" 2

lab_finish
