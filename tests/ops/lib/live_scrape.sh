# shellcheck shell=bash
# shellcheck disable=SC2154 # lab_lib_dir and the LAB_* names come from tests/integration/lib/lab.sh
# ops_live_scrape OUT: a scrape of a sipedge that has done real work, written to OUT. Runs the
# integration lab (tests/integration/lib/lab.sh, which the caller has sourced and initialised
# with lab_init): the daemon with XDP on its client link and a policy that refuses the
# attacker, five SIPp calls through it, one request the policy refuses and one to a
# domain that does not exist; then one GET /metrics. Every
# series family the daemon has is then in the scrape, with the label values traffic gives.
ops_live_scrape() {
  local out=$1 rc=0
  lab_up
  lab_start_nsd
  lab_start_uas uas u1
  lab_start_sipedge "${LAB_SIPEDGE_ARGS[@]}" --iface "$LAB_IF" --deny "$LAB_ATTACKER/32"
  lab_uac calls u1 both.lab.test 5 || rc=$?
  lab_calls_ok calls 5 "calls through the daemon being scraped" "$rc"
  # The attacker is refused by policy: a reject verdict (and, with XDP, a denied drop).
  in_attacker "$LAB_PY" "$lab_lib_dir/sip_probe.py" --once --timeout 1 "$LAB_ATTACKER" "$LAB_EDGE" "$LAB_SIP_PORT" \
    >/dev/null 2>&1 || true
  # A domain that does not exist: the router answers 503 itself (a stateless reply).
  lab_probe --uri sip:nobody@nowhere.lab.test "$LAB_CLIENT" "$LAB_EDGE" "$LAB_SIP_PORT" >/dev/null 2>&1 || true
  lab_metrics "$out" || lab_die "no scrape from the lab's sipedge"
}
