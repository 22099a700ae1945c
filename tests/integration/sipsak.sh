#!/usr/bin/env bash
# Integration: a second, independent SIP client from Debian (sipsak) against sipedge: an
# OPTIONS addressed to the router is answered 200 by the router itself (health check); an
# OPTIONS through the router reaches the server and its 200 comes back; sipsak's traceroute
# mode (Max-Forwards 0, 1, ...) meets the router's 483 first and the server's 200 next.
# Usage: sipsak.sh BUILD_DIR. Needs root.
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
# shellcheck source=tests/integration/lib/lab.sh
source "$here/lib/lab.sh"
lab_init sei "${1:?usage: sipsak.sh BUILD_DIR}"
command -v sipsak >/dev/null || lab_die "sipsak is not installed (bash tools/install-deps.sh)"
lab_up
lab_start_nsd
lab_start_responder
lab_start_sipedge "${LAB_SIPEDGE_ARGS[@]}"

# -S: send and receive on one socket (the router answers to the source port, rport);
# -H: the address sipsak writes in its Via and Contact.
sipsak_run() {
  local name=$1
  shift
  in_client sipsak -S -H "$LAB_CLIENT" -vv "$@" >"$LAB_TMP/$name.out" 2>&1
}

rc=0
sipsak_run options-router -s "sip:$LAB_EDGE" || rc=$?
check "sipsak OPTIONS sip:$LAB_EDGE: exit 0 (a 200 came back)" eq "$rc" 0
check "... the 200 is the router's own" bash -c "grep -q 'SIP/2.0 200' '$LAB_TMP/options-router.out'"
check "... and the responder saw nothing" eq "$(lab_responder_count "$LAB_ECHO")" 0

rc=0
sipsak_run options-through -s "sip:bob@$LAB_ECHO" -p "$LAB_EDGE" || rc=$?
check "sipsak OPTIONS sip:bob@$LAB_ECHO through the router: exit 0" eq "$rc" 0
check "... the responder received it with the router's Via on top" \
  jsonl_true "$LAB_TMP/responder-$LAB_ECHO.jsonl" \
  "length == 1 and (.[0].message | test(\"^OPTIONS sip:bob@$LAB_ECHO SIP/2.0\\r\\nVia: SIP/2.0/UDP [^\\r]*branch=z9hG4bK\"))"
check "... the response reached sipsak without the router's Via" \
  bash -c "grep -q 'SIP/2.0 200 OK' '$LAB_TMP/options-through.out' && ! grep -q '^Via: SIP/2.0/UDP $LAB_EDGE' '$LAB_TMP/options-through.out'"

rc=0
sipsak_run traceroute -T -s "sip:bob@$LAB_ECHO" -p "$LAB_EDGE" || rc=$?
check "sipsak traceroute through the router: exit 0" eq "$rc" 0
check "... hop 1 is the router's 483" grep -q "SIP/2.0 483" "$LAB_TMP/traceroute.out"
check "... hop 2 is the server's 200" grep -q "SIP/2.0 200 OK" "$LAB_TMP/traceroute.out"

lab_stop_sipedge
check "sipedge exits 0 on SIGTERM" eq "$SIPEDGE_RC" 0
lab_finish
