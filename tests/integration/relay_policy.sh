#!/usr/bin/env bash
# Integration: the relay policy ([policy] untrusted_next_hops). The UAS side (10.10.2.2) is
# open to everyone; the internal softswitch (10.10.2.3, the responder) only to trusted
# sources. From the untrusted client: a Request-URI naming the softswitch, a domain that
# resolves to it, and a Route header injected towards it all get 403 "Forbidden
# destination" and the softswitch sees nothing; the same request from a trusted source is
# forwarded; requests to the allowed hop go through. Special next hops (multicast, link-local,
# unspecified) are refused for every source. --check-config warns "open relay" for a file
# without untrusted_next_hops and not for this one.
# Usage: relay_policy.sh BUILD_DIR. Needs root.
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
# shellcheck source=tests/integration/lib/lab.sh
source "$here/lib/lab.sh"
lab_init ser "${1:?usage: relay_policy.sh BUILD_DIR}"
lab_up
lab_start_nsd
lab_start_responder "$LAB_ECHO"
lab_start_responder "$LAB_UAS"

conf=$LAB_TMP/sipedge.toml
cat >"$conf" <<EOF
[[listen]]
transport = "udp"
address = "127.0.0.1"
port = 5060
[policy]
trusted = ["$LAB_TRUSTED/32"]
untrusted_next_hops = ["$LAB_UAS/32", "2001:db8:2::/64"]
EOF
out=$("$SIPEDGE" --check-config "$conf" 2>&1) || true
check "--check-config: no open-relay warning when untrusted_next_hops is set" \
  bash -c "! grep -qi 'open relay' <<<'$out'"
printf '[[listen]]\ntransport = "udp"\naddress = "127.0.0.1"\nport = 5060\n[policy]\ntrusted = ["%s/32"]\n' "$LAB_TRUSTED" >"$LAB_TMP/open.toml"
rc=0
out=$("$SIPEDGE" --check-config "$LAB_TMP/open.toml" 2>&1) || rc=$?
check "--check-config: a file without untrusted_next_hops warns 'open relay' ($out)" grep -qi 'open relay' <<<"$out"
check "... and is still valid (exit $rc)" eq "$rc" 0

lab_start_sipedge "${LAB_SIPEDGE_ARGS[@]}" --config "$conf"

status() { sed -n 's/^SIP\/2.0 \([0-9]*\).*/\1/p' <<<"$1"; }
probe() { lab_probe "$@" 2>&1 || true; }
internal_before=$(lab_responder_count "$LAB_ECHO")

out=$(probe "$LAB_CLIENT" "$LAB_EDGE" 5060 --method MESSAGE --uri "sip:+19005550100@$LAB_ECHO")
check "untrusted -> R-URI naming the internal softswitch -> 403 ($out)" eq "$(status "$out")" 403
check "... 'Forbidden destination'" grep -q 'Forbidden destination' <<<"$out"
out=$(probe "$LAB_CLIENT" "$LAB_EDGE" 5060 --method MESSAGE --uri "sip:+19005550100@echo.lab.test")
check "untrusted -> a domain that resolves to the softswitch -> 403 ($out)" eq "$(status "$out")" 403
out=$(probe "$LAB_CLIENT" "$LAB_EDGE" 5060 --method MESSAGE --uri "sip:bob@uas.lab.test" \
  --route "<sip:$LAB_ECHO;lr>")
check "untrusted -> Route injected towards the softswitch -> 403 ($out)" eq "$(status "$out")" 403
out=$(probe "$LAB_CLIENT" "$LAB_EDGE" 5060 --transport tcp --method MESSAGE --uri "sip:+19005550100@$LAB_ECHO")
check "untrusted over TCP -> the softswitch -> 403 ($out)" eq "$(status "$out")" 403
check "the softswitch received none of these" eq "$(lab_responder_count "$LAB_ECHO")" "$internal_before"

out=$(probe "$LAB_TRUSTED" "$LAB_EDGE" 5060 --method MESSAGE --uri "sip:+19005550100@$LAB_ECHO")
check "trusted -> the softswitch -> forwarded, 200 ($out)" eq "$(status "$out")" 200
check "... the softswitch received it" eq "$(lab_responder_count "$LAB_ECHO")" "$((internal_before + 1))"
out=$(probe "$LAB_CLIENT" "$LAB_EDGE" 5060 --method MESSAGE --uri "sip:bob@uas.lab.test")
check "untrusted -> the allowed hop -> 200 ($out)" eq "$(status "$out")" 200
out=$(probe "$LAB_CLIENT" "$LAB_EDGE" 5060 --method MESSAGE --uri "sip:bob@uas.lab.test" \
  --route "<sip:$LAB_UAS;lr>")
check "untrusted -> Route naming the allowed hop -> 200 ($out)" eq "$(status "$out")" 200

for dest in 224.0.0.1 169.254.10.1 0.0.0.0 255.255.255.255; do
  out=$(probe "$LAB_TRUSTED" "$LAB_EDGE" 5060 --method MESSAGE --uri "sip:bob@$dest")
  check "trusted -> special address $dest -> 403 ($out)" eq "$(status "$out")" 403
done

lab_metrics "$LAB_TMP/metrics"
check "the refusals are counted by rule" \
  ge "$(lab_metric "$LAB_TMP/metrics" 'sipedge_policy_decisions_total{rule="relay_forbidden_destination",verdict="reject"}')" 4
check "... special addresses too" \
  ge "$(lab_metric "$LAB_TMP/metrics" 'sipedge_policy_decisions_total{rule="relay_special_address",verdict="reject"}')" 4

lab_stop_sipedge
check "sipedge exits 0 on SIGTERM" eq "$SIPEDGE_RC" 0
lab_finish
