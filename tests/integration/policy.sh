#!/usr/bin/env bash
# Integration: the sips/TLS policy with real peers.
#   R6  a sips: request over UDP from an untrusted source is refused with 403;
#   R3  a sips: request whose only hop is TLS (not available in this build) or a plaintext
#       hop gets 503; towards a --trusted-downgrade hop it is forwarded, Request-URI intact,
#       and counted;
#   R9  with --iface, UDP SIP from a --tls-only network is dropped in XDP (pinned stats:
#       tls_required) and never reaches the router.
# Usage: policy.sh BUILD_DIR. Needs root and an XDP-capable kernel.
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
# shellcheck source=tests/integration/lib/lab.sh
source "$here/lib/lab.sh"
lab_init sei "${1:?usage: policy.sh BUILD_DIR}"
lab_up
lab_start_nsd
lab_start_uas uas-udp u1
lab_start_responder
lab_start_sipedge "${LAB_SIPEDGE_ARGS[@]}" --iface "$LAB_IF" \
  --trusted "$LAB_TRUSTED/32" --trusted-downgrade "$LAB_ECHO:$LAB_SIP_PORT" --tls-only "$LAB_TLS_ONLY_NET"

status() { sed -n 's/^SIP\/2.0 \([0-9]*\).*/\1/p' <<<"$1"; }
probe() { lab_probe "$@" 2>&1 || true; }

# --- R6 ---------------------------------------------------------------------------------------
out=$(probe "$LAB_CLIENT" "$LAB_EDGE" 5060 --method MESSAGE --uri sips:bob@secure.lab.test)
check "R6: sips: over UDP from an untrusted source -> 403 ($out)" eq "$(status "$out")" 403
out=$(probe "$LAB_CLIENT" "$LAB_EDGE" 5060 --transport tcp --method MESSAGE --uri sips:bob@secure.lab.test)
check "R6: sips: over TCP (plaintext) from an untrusted source -> 403 ($out)" eq "$(status "$out")" 403

# --- R3 ---------------------------------------------------------------------------------------
out=$(probe "$LAB_TRUSTED" "$LAB_EDGE" 5060 --method MESSAGE --uri sips:bob@secure.lab.test)
check "R3: sips: from a trusted source, only a TLS hop (SIPS+D2T) -> 503 ($out)" eq "$(status "$out")" 503
out=$(probe "$LAB_TRUSTED" "$LAB_EDGE" 5060 --method MESSAGE --uri sips:bob@secure.lab.test \
  --route "<sip:$LAB_UAS:$LAB_SIP_PORT;lr>")
check "R3: sips: routed to a plaintext UDP hop that is not trusted-downgrade -> 503 ($out)" \
  eq "$(status "$out")" 503
check "R3: ... and the UAS behind that hop saw nothing" bash -c "! grep -aq '^MESSAGE ' '$LAB_TMP/uas-udp.msg' 2>/dev/null"
out=$(probe "$LAB_TRUSTED" "$LAB_EDGE" 5060 --method MESSAGE --uri sips:bob@secure.lab.test \
  --route "<sip:$LAB_ECHO:$LAB_SIP_PORT;lr>")
check "R3: sips: routed to the trusted-downgrade hop $LAB_ECHO:$LAB_SIP_PORT -> forwarded, 200 ($out)" \
  eq "$(status "$out")" 200
check "R3/R1: the hop received the sips: Request-URI unchanged" \
  jsonl_true "$LAB_TMP/responder-$LAB_ECHO.jsonl" \
  'length == 1 and (.[0].message | startswith("MESSAGE sips:bob@secure.lab.test SIP/2.0\r\n"))'
lab_metrics "$LAB_TMP/metrics"
check "R3: the downgrade is counted" eq "$(lab_metric "$LAB_TMP/metrics" sipedge_sips_downgrades_total)" 1
check "R6: the refusals are counted by rule" \
  eq "$(lab_metric "$LAB_TMP/metrics" 'sipedge_policy_decisions_total{rule="r6_sips_over_plaintext",verdict="reject"}')" 2
check "the 403s are counted as stateless replies" \
  eq "$(lab_metric "$LAB_TMP/metrics" 'sipedge_stateless_replies_total{code="403"}')" 2
check "the 503s are counted as stateless replies" \
  eq "$(lab_metric "$LAB_TMP/metrics" 'sipedge_stateless_replies_total{code="503"}')" 2

# --- R9 ---------------------------------------------------------------------------------------
out=$(probe "$LAB_CLIENT" "$LAB_EDGE" 5060)
check "with XDP attached, an ordinary client's OPTIONS to the router -> 200 ($out)" eq "$(status "$out")" 200
tls_before=$(lab_xdp_drop tls_required)
for _ in 1 2 3; do
  out=$(probe "$LAB_TLS_ONLY_SRC" "$LAB_EDGE" 5060 --once --timeout 1)
  check "R9: UDP SIP from the tls-only network $LAB_TLS_ONLY_SRC gets no answer" eq "$(status "$out")" ""
done
check "R9: the 3 datagrams were dropped in XDP as tls_required" \
  eq "$(($(lab_xdp_drop tls_required) - tls_before))" 3
check "R9: bpftool reads the same tls_required count from the pinned map" \
  eq "$(lab_bpftool_sum tls_required)" "$(lab_xdp_drop tls_required)"
lab_metrics "$LAB_TMP/metrics"
check "R9: the router never saw them (no r9 decision in userspace)" \
  eq "$(lab_metric "$LAB_TMP/metrics" 'sipedge_policy_decisions_total{rule="r9_tls_only"}')" 0
check "R9: the metrics endpoint exports the XDP drop" \
  eq "$(lab_metric "$LAB_TMP/metrics" 'sipedge_xdp_drops_total{reason="tls_required"}')" "$(lab_xdp_drop tls_required)"

lab_stop_sipedge
check "sipedge exits 0 on SIGTERM" eq "$SIPEDGE_RC" 0
lab_finish
