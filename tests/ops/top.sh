#!/usr/bin/env bash
# sipedgectl top under tmux, on a real XDP attachment: the classifier attached with
# `sipedgectl attach` to the edge's client link of the lab, a per-source limit set, a SIP flood
# from the attacker (limited), garbage from the attacker (malformed), a slow sender within its
# limit (the client). The pane must show the header, a packets/s rate for sip_udp, drops/s for
# rate_limited and malformed, the attacker among the rate-limited sources with a drops/s rate
# and not the client; q must end it with status 0 and the terminal given back (canonical mode
# and echo on, main screen); Ctrl-C too. A narrow pane gets the narrow layout; --once and
# --iterations print plain frames (no escape codes) for scripts.
# Usage: top.sh BUILD_DIR. Needs root, an XDP-capable kernel and tmux.
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
root=$(cd "$here/../.." && pwd)
# shellcheck source=tests/integration/lib/lab.sh
source "$root/tests/integration/lib/lab.sh"
command -v tmux >/dev/null || { echo "tmux is not installed" >&2; exit 77; }
lab_init opt "${1:?usage: top.sh BUILD_DIR}"
[ -x "$SIPEDGECTL" ] || lab_die "$SIPEDGECTL not built (cmake --build BUILD --target sipedgectl)"
tmux_sock=$LAB_ID
# Our own tmux server (its own socket), ended before the lab is torn down.
trap 'rc=$?; set +e; tmux -L "$tmux_sock" kill-server 2>/dev/null; (exit $rc); lab_teardown' EXIT

lab_up
in_edge "$SIPEDGECTL" attach --iface "$LAB_IF" >/dev/null || lab_die "sipedgectl attach failed"
in_edge "$SIPEDGECTL" ratelimit set --iface "$LAB_IF" --pps 50 --burst 10 >/dev/null
lab_bg flood "$NS_ATTACKER" "$LAB_PY" "$here/lib/sip_flood.py" "$LAB_ATTACKER" "$LAB_EDGE" "$LAB_SIP_PORT" 400
lab_bg slow "$NS_CLIENT" "$LAB_PY" "$here/lib/sip_flood.py" "$LAB_CLIENT" "$LAB_EDGE" "$LAB_SIP_PORT" 5
lab_bg garbage "$NS_ATTACKER" "$LAB_PY" "$lab_lib_dir/garbage_flood.py" "$LAB_ATTACKER" "$LAB_EDGE" "$LAB_SIP_PORT" 100000 200

# session NAME WIDTH: sipedgectl top in a detached tmux session WIDTH x 40; when top ends the
# shell prints its exit status and whether the terminal is back in canonical mode with echo.
session() {
  local cmd="nsenter --net=/run/netns/$NS_EDGE $SIPEDGECTL top --iface $LAB_IF; echo \"EXITED rc=\$?\"; stty -a | grep -oE '(^| )-?(icanon|echo)( |$)' | tr -d ' ' | tr '\n' ' '; echo; sleep 60"
  tmux -L "$tmux_sock" new-session -d -s "$1" -x "$2" -y 40 "$cmd"
}
pane() { tmux -L "$tmux_sock" capture-pane -p -t "$1"; }
# wait_pane NAME REGEX: until the pane shows a line matching REGEX (15 s at most).
wait_pane() {
  for _ in $(seq 150); do
    pane "$1" | grep -qE -- "$2" && return 0
    sleep 0.1
  done
  echo "#   the pane never showed /$2/; it shows:" >&2
  pane "$1" | sed 's/^/#   | /' >&2
  return 1
}
# column NAME ROW N: field N of the pane's line that starts with ROW.
column() { pane "$1" | awk -v row="$2" -v n="$3" '$1 == row { print $n; exit }'; }
nonzero() { [ -n "$1" ] && [ "$1" != 0 ] || { echo "#   expected a non-zero rate, got '$1'" >&2; return 1; }; }

# --- a wide terminal, quit with q ------------------------------------------------------------------
session wide 120
check "top draws its header" wait_pane wide "^sipedgectl top +$LAB_IF +(native|generic) mode +every 1.0 s .* q quits$"
check "the attacker shows among the rate-limited sources" wait_pane wide "^$LAB_ATTACKER +dgram +[0-9.]+[kM]? +[0-9]+ +[0-9.]+ s$"
pane wide >"$LAB_TMP/pane-wide.txt"
sed 's/^/# | /' "$LAB_TMP/pane-wide.txt"
check "sip_udp packets/s is not zero" nonzero "$(column wide sip_udp 2)"
check "rate_limited drops/s is not zero" nonzero "$(column wide rate_limited 2)"
check "malformed drops/s is not zero" nonzero "$(column wide malformed 2)"
check "the attacker's drops/s is not zero" nonzero "$(column wide "$LAB_ATTACKER" 3)"
check "the client, within its limit, is not listed" eq "$(grep -c "^$LAB_CLIENT " "$LAB_TMP/pane-wide.txt")" 0
check "the wide layout has the bits/s and totals columns" grep -qE '^CLASS +PACKETS/S +BITS/S +PACKETS$' "$LAB_TMP/pane-wide.txt"
tmux -L "$tmux_sock" send-keys -t wide q
check "q ends top with status 0" wait_pane wide '^EXITED rc=0$'
check "... and gives the terminal back: canonical mode and echo on" wait_pane wide '^icanon echo ?$'
check "... on the main screen (top's frame is gone)" bash -c "! tmux -L '$tmux_sock' capture-pane -p -t wide | grep -q '^RATE-LIMITED SOURCES'"

# --- a narrow terminal, quit with Ctrl-C -----------------------------------------------------------
session narrow 50
check "a 50-column pane gets the narrow layout" wait_pane narrow '^CLASS +PACKETS/S$'
check "... still with the attacker's drops/s" wait_pane narrow "^$LAB_ATTACKER +[0-9.]+[kM]?$"
check "... and no line wider than the pane (none wrapped)" \
  eq "$(pane narrow | grep -cE '^(BITS/S|[0-9]+ *$)')" 0
tmux -L "$tmux_sock" send-keys -t narrow C-c
check "Ctrl-C ends top with status 0" wait_pane narrow '^EXITED rc=0$'
check "... and gives the terminal back" wait_pane narrow '^icanon echo ?$'

# --- for scripts -----------------------------------------------------------------------------------
in_edge "$SIPEDGECTL" top --iface "$LAB_IF" --once >"$LAB_TMP/once.txt"
check "--once prints one frame" eq "$(grep -c '^sipedgectl top ' "$LAB_TMP/once.txt")" 1
check "--once prints no escape codes" eq "$(grep -c $'\x1b' "$LAB_TMP/once.txt")" 0
check "--once lists the attacker" grep -q "^$LAB_ATTACKER " "$LAB_TMP/once.txt"
in_edge "$SIPEDGECTL" top --iface "$LAB_IF" --iterations 2 --interval 0.5 >"$LAB_TMP/two.txt"
check "--iterations 2 prints two frames when piped" eq "$(grep -c '^sipedgectl top ' "$LAB_TMP/two.txt")" 2
rc=0
in_edge "$SIPEDGECTL" top --iface "$LAB_IF" --interval 0 >/dev/null 2>&1 || rc=$?
check "--interval 0 is refused (status 1)" eq "$rc" 1
rc=0
in_edge "$SIPEDGECTL" top --iface "${LAB_ID}nope" --once >/dev/null 2>&1 || rc=$?
check "an interface that does not exist is a fault (status 1)" eq "$rc" 1
lab_finish
