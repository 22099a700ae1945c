#!/usr/bin/env bash
# Integration: sipedge's TLS listeners against raw clients, `openssl s_client` and
# tls/tls_sip.py (Debian's python3 ssl), from the client namespace. sipedge listens on
#   10.10.1.1:5061 TLS (certificate files rotated during the test), 5062 TLS requiring a
#   client certificate from the lab CA (mutual TLS), 5063 TLS 1.3 only, and UDP 5060;
#   [policy] tls_only = 10.10.1.128/28; record_route on.
# Asserted:
#   - OPTIONS for sipedge over TLS is answered 200 (s_client and python), on the certificate
#     sipedge is configured with; the inbound handshakes and TLS requests are counted;
#   - a sips: INVITE over TLS from the tls-only network completes (INVITE 200, ACK, BYE 200)
#     through a TLS next hop (Kamailio, NAPTR SIPS+D2T, R3), the Request-URI unchanged, with
#     a sips: Record-Route (R7); the same INVITE over UDP from that network is refused (403,
#     R9), and a sips: request over UDP from an untrusted source is refused (403, R6);
#   - mutual TLS: no client certificate -> handshake refused, no_peer_certificate counted
#     (direction in); a certificate from an unknown CA -> refused, unknown_ca; a certificate
#     from the lab CA -> 200;
#   - the TLS 1.3-only listener refuses a TLS 1.2 client (s_client -tls1_2 and python) and
#     counts the failure (protocol), and serves a TLS 1.3 client;
#   - certificate rotation: the files replaced, SIGHUP; a new connection gets the new
#     certificate (serial) while a connection opened before the reload still works;
#   - sipedge_tls_certificate_expiry_seconds is within a day of the certificate's notAfter,
#     before and after the rotation (which changes the lifetime from 30 to 90 days).
# Usage: tls_raw.sh BUILD_DIR. Needs root and Kamailio with its tls module.
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
# shellcheck source=tests/integration/lib/lab.sh
source "$here/lib/lab.sh"
# shellcheck source=tests/integration/tls/lab_tls.sh
source "$here/tls/lab_tls.sh"
lab_init str "${1:?usage: tls_raw.sh BUILD_DIR}"
tls_require_tools kamailio
lab_up
lab_start_nsd "$(tls_zones)"
tls_pki
KAM=10.10.2.4 MTLS_PORT=5062 TLS13_PORT=5063

pki_leaf kam-dom lab kam.tls.test "DNS:kam.tls.test"
pki_leaf alice lab alice.tls.test "DNS:alice.tls.test"
pki_leaf mallory rogue alice.tls.test "DNS:alice.tls.test"
# The listener's certificate lives in files the rotation replaces.
LIVE_CRT=$LAB_TMP/live.crt LIVE_KEY=$LAB_TMP/live.key
cp "$TLS_PKI/edge.chain.crt" "$LIVE_CRT"
cp "$TLS_PKI/edge.key" "$LIVE_KEY"

# Kamailio: the TLS next hop of the sips: call (kam.tls.test -> SIPS+D2T -> 10.10.2.4:5061).
tls_add_address "$NS_SERVER" "$KAM/24"
printf '[server:default]\nmethod = TLSv1.2+\nverify_certificate = no\nrequire_certificate = no\ncertificate = %s\nprivate_key = %s\n\n[client:default]\nverify_certificate = no\nrequire_certificate = no\n' \
  "$TLS_PKI/kam-dom.chain.crt" "$TLS_PKI/kam-dom.key" >"$LAB_TMP/kam.tls.cfg"
tls_start_kamailio kam "$NS_SERVER" "sip:$LAB_UAS:5060;transport=udp" "$LAB_TMP/kam.tls.cfg" rr \
  "udp:$KAM:5060" "tls:$KAM:$TLS_PORT"
lab_start_uas uas-udp u1

cat >"$LAB_TMP/sipedge.toml" <<TOML
[daemon]
workers = 2
log_level = "debug"
record_route = true

[[listen]]
transport = "udp"
address = "$LAB_EDGE"
port = 5060

[[listen]]
transport = "tls"
address = "$LAB_EDGE"
port = $TLS_PORT
tls_certificate = "$LIVE_CRT"
tls_key = "$LIVE_KEY"

[[listen]]
transport = "tls"
address = "$LAB_EDGE"
port = $MTLS_PORT
tls_certificate = "$TLS_PKI/edge.chain.crt"
tls_key = "$TLS_PKI/edge.key"
tls_ca = "$TLS_PKI/lab.crt"
tls_client_certificates = "require"

[[listen]]
transport = "tls"
address = "$LAB_EDGE"
port = $TLS13_PORT
tls_certificate = "$TLS_PKI/edge.chain.crt"
tls_key = "$TLS_PKI/edge.key"
tls_min_version = "1.3"

[dns]
servers = ["$LAB_DNS"]

[tls]
ca = "$TLS_PKI/lab.crt"

[policy]
tls_only = ["$LAB_TLS_ONLY_NET"]

[metrics]
listen = "$LAB_METRICS"
TOML
tls_start_sipedge "$LAB_TMP/sipedge.toml"

status() { sed -n 's/^SIP\/2.0 \([0-9]*\).*/\1/p' <<<"$1" | head -n 1; }
# py ARGS...: tls_sip.py, its output and exit status as "OUTPUT rc=N".
py() {
  local out rc=0
  out=$(tls_py "$@" 2>&1) || rc=$?
  echo "$out rc=$rc"
}
# tls_refused S_CLIENT_OUTPUT: s_client got no session, and because the server sent a TLS alert
# (not because nothing listened).
tls_refused() {
  ! grep -q '^CONNECTION ESTABLISHED' <<<"$1" && grep -qi 'alert' <<<"$1"
}
edge_serial=$(pki_serial "$TLS_PKI/edge.crt")

# --- OPTIONS over TLS --------------------------------------------------------------------------
lab_metrics "$LAB_TMP/m0"
options_for() { # options_for SRC PORT: an OPTIONS for sipedge, LF line ends
  printf 'OPTIONS sip:%s:%s SIP/2.0\nVia: SIP/2.0/TLS %s:5999;branch=z9hG4bKsclient%s;rport\nMax-Forwards: 70\nFrom: <sip:s_client@%s>;tag=sc1\nTo: <sip:%s>\nCall-ID: sclient-%s@%s\nCSeq: 1 OPTIONS\nContent-Length: 0\n\n' \
    "$LAB_EDGE" "$2" "$1" "$RANDOM" "$1" "$LAB_EDGE" "$RANDOM" "$1"
}
out=$( (options_for "$LAB_CLIENT" "$TLS_PORT" | sed 's/$/\r/'; sleep 1) |
  in_client timeout 10 openssl s_client -connect "$LAB_EDGE:$TLS_PORT" -servername edge.tls.test \
    -verify_return_error -CAfile "$TLS_PKI/lab.crt" -brief 2>&1 | tr -d '\r' || true)
check "s_client: OPTIONS over TLS answered 200 ($(grep -a '^SIP/2.0' <<<"$out" || echo no answer))" \
  grep -aq '^SIP/2.0 200' <<<"$out"
check "s_client: sipedge's certificate verified against the lab CA" grep -aq 'Verification: OK' <<<"$out"
out=$(py request "$LAB_CLIENT" "$LAB_EDGE" "$TLS_PORT" --ca "$TLS_PKI/lab.crt" --servername edge.tls.test)
check "python: OPTIONS over TLS answered 200, certificate verified for edge.tls.test ($out)" \
  grep -q "^SIP/2.0 200 OK|$edge_serial|TLSv1.3 rc=0" <<<"$out"
lab_metrics "$LAB_TMP/m1"
check "two inbound handshakes counted ok" \
  eq "$(tls_metric_delta "$LAB_TMP/m0" "$LAB_TMP/m1" 'sipedge_tls_handshakes_total{direction="in",result="ok"}')" 2
check "the OPTIONS were counted as received over TLS" \
  eq "$(tls_metric_delta "$LAB_TMP/m0" "$LAB_TMP/m1" 'sipedge_sip_requests_total{direction="in",transport="tls",method="OPTIONS"}')" 2

# --- sips: from the tls-only network (R9, R3, R7) and over UDP (R6) ----------------------------
out=$(py call "$LAB_TLS_ONLY_SRC" "$LAB_EDGE" "$TLS_PORT" --uri sips:raw-1@kam.tls.test \
  --ca "$TLS_PKI/lab.crt" --servername edge.tls.test)
check "sips: INVITE over TLS from the tls-only network: INVITE 200, BYE 200 ($out)" eq "$out" "200 200 rc=0"
check "... the UAS received the sips: Request-URI unchanged" \
  grep -aq '^INVITE sips:raw-1@kam.tls.test SIP/2.0' "$LAB_TMP/uas-udp.msg"
check "... through Kamailio over TLS (R3)" \
  grep -q "relay tls from $LAB_EDGE_INNER:[0-9]* to $KAM:$TLS_PORT: INVITE sips:raw-1@kam.tls.test" "$LAB_TMP/kam.out"
check "... sipedge's Record-Route for the sips: request is sips: (R7)" \
  grep -aqE "^Record-Route: <sips:" "$LAB_TMP/uas-udp.msg"
check "... and the BYE reached the UAS" grep -aq '^BYE ' "$LAB_TMP/uas-udp.msg"
out=$(lab_probe "$LAB_TLS_ONLY_SRC" "$LAB_EDGE" 5060 --method INVITE --uri sips:raw-2@kam.tls.test 2>&1 || true)
check "the same sips: INVITE over UDP from the tls-only network: 403 ($out)" eq "$(status "$out")" 403
out=$(lab_probe "$LAB_CLIENT" "$LAB_EDGE" 5060 --method MESSAGE --uri sips:raw-3@kam.tls.test 2>&1 || true)
check "a sips: request over UDP from an untrusted source: 403 (R6) ($out)" eq "$(status "$out")" 403
check "... neither reached the UAS" bash -c "! grep -aqE '^[A-Z]+ sips:raw-[23]@' '$LAB_TMP/uas-udp.msg'"

# --- mutual TLS --------------------------------------------------------------------------------
lab_metrics "$LAB_TMP/m2"
out=$(py request "$LAB_CLIENT" "$LAB_EDGE" "$MTLS_PORT" --ca "$TLS_PKI/lab.crt")
check "mutual TLS: a client without a certificate is refused ($out)" grep -q 'rc=2$' <<<"$out"
out=$(in_client timeout 10 openssl s_client -connect "$LAB_EDGE:$MTLS_PORT" -tls1_2 -CAfile "$TLS_PKI/lab.crt" \
  -brief </dev/null 2>&1 || true)
check "mutual TLS: s_client (TLS 1.2) without a certificate: refused with an alert" tls_refused "$out"
lab_metrics "$LAB_TMP/m3"
check "mutual TLS: no_peer_certificate counted for both (direction in)" \
  eq "$(tls_metric_delta "$LAB_TMP/m2" "$LAB_TMP/m3" 'sipedge_tls_handshake_failures_total{direction="in",reason="no_peer_certificate"}')" 2
out=$(py request "$LAB_CLIENT" "$LAB_EDGE" "$MTLS_PORT" --ca "$TLS_PKI/lab.crt" \
  --cert "$TLS_PKI/mallory.chain.crt" --key "$TLS_PKI/mallory.key")
check "mutual TLS: a certificate from an unknown CA is refused ($out)" grep -q 'rc=2$' <<<"$out"
lab_metrics "$LAB_TMP/m4"
check "mutual TLS: ... counted as unknown_ca (direction in)" \
  eq "$(tls_metric_delta "$LAB_TMP/m3" "$LAB_TMP/m4" 'sipedge_tls_handshake_failures_total{direction="in",reason="unknown_ca"}')" 1
out=$(py request "$LAB_CLIENT" "$LAB_EDGE" "$MTLS_PORT" --ca "$TLS_PKI/lab.crt" \
  --cert "$TLS_PKI/alice.chain.crt" --key "$TLS_PKI/alice.key")
check "mutual TLS: a certificate from the lab CA is accepted, OPTIONS 200 ($out)" grep -q '^SIP/2.0 200 OK|.* rc=0$' <<<"$out"

# --- TLS 1.3 only ------------------------------------------------------------------------------
lab_metrics "$LAB_TMP/m5"
out=$(in_client timeout 10 openssl s_client -connect "$LAB_EDGE:$TLS13_PORT" -tls1_2 -CAfile "$TLS_PKI/lab.crt" \
  -brief </dev/null 2>&1 || true)
check "TLS 1.3-only listener: s_client -tls1_2 is refused with an alert" tls_refused "$out"
out=$(py request "$LAB_CLIENT" "$LAB_EDGE" "$TLS13_PORT" --ca "$TLS_PKI/lab.crt" --tls-max 1.2)
check "TLS 1.3-only listener: python with TLS 1.2 at most is refused ($out)" grep -q 'rc=2$' <<<"$out"
lab_metrics "$LAB_TMP/m6"
check "TLS 1.3-only listener: both refusals counted as protocol failures (direction in)" \
  eq "$(tls_metric_delta "$LAB_TMP/m5" "$LAB_TMP/m6" 'sipedge_tls_handshake_failures_total{direction="in",reason="protocol"}')" 2
out=$(py request "$LAB_CLIENT" "$LAB_EDGE" "$TLS13_PORT" --ca "$TLS_PKI/lab.crt" --tls-min 1.3)
check "TLS 1.3-only listener: a TLS 1.3 client gets 200 ($out)" grep -q '^SIP/2.0 200 OK|.*|TLSv1.3 rc=0$' <<<"$out"

# --- certificate expiry metric and rotation ----------------------------------------------------
# expiry_ok SCRAPE CERT: the metric for the live certificate is within a day of CERT's notAfter.
expiry_ok() {
  local m want
  m=$(lab_metric "$1" "sipedge_tls_certificate_expiry_seconds{certificate=\"$LIVE_CRT\"}")
  want=$(($(date -d "$(openssl x509 -noout -enddate -in "$2" | cut -d= -f2)" +%s) - $(date +%s)))
  echo "# expiry metric $m s, certificate's notAfter in $want s"
  [ "$m" -gt 0 ] && [ $((m - want)) -le 86400 ] && [ $((want - m)) -le 86400 ]
}
lab_metrics "$LAB_TMP/m7"
check "sipedge_tls_certificate_expiry_seconds: within a day of the certificate's 30 days" expiry_ok "$LAB_TMP/m7" "$TLS_PKI/edge.crt"

rm -f "$LAB_TMP/held.go"
lab_bg held "$NS_CLIENT" "$LAB_PY" "$TLS_PY" hold "$LAB_CLIENT" "$LAB_EDGE" "$TLS_PORT" \
  --ca "$TLS_PKI/lab.crt" --servername edge.tls.test --trigger "$LAB_TMP/held.go"
held_pid=$LAB_LAST_PID
for _ in $(seq 100); do grep -qs '^ready' "$LAB_TMP/held.out" && break; sleep 0.1; done
check "rotation: a connection opened before: the old certificate, OPTIONS 200" \
  grep -q "^ready $edge_serial 200$" "$LAB_TMP/held.out"

# The new certificate: another key, another serial, 90 days. Written beside, then renamed in.
PKI_LEAF_DAYS=90
openssl genpkey -algorithm EC -pkeyopt ec_paramgen_curve:P-256 -out "$LAB_TMP/new.key" 2>/dev/null
openssl req -new -key "$LAB_TMP/new.key" -subj "/O=sipedge lab/CN=edge.tls.test" -out "$LAB_TMP/new.csr" 2>/dev/null
printf 'basicConstraints=critical,CA:FALSE\nkeyUsage=critical,digitalSignature\nextendedKeyUsage=serverAuth,clientAuth\nsubjectAltName=DNS:edge.tls.test,IP:%s\n' \
  "$LAB_EDGE" >"$LAB_TMP/new.ext"
openssl x509 -req -in "$LAB_TMP/new.csr" -CA "$TLS_PKI/lab.crt" -CAkey "$TLS_PKI/lab.key" -CAcreateserial \
  -days "$PKI_LEAF_DAYS" -extfile "$LAB_TMP/new.ext" -out "$LAB_TMP/new.crt" 2>/dev/null
new_serial=$(pki_serial "$LAB_TMP/new.crt")
[ "$new_serial" != "$edge_serial" ] || lab_die "the new certificate has the old serial"
cat "$LAB_TMP/new.crt" "$TLS_PKI/lab.crt" >"$LIVE_CRT.tmp"
cp "$LAB_TMP/new.key" "$LIVE_KEY.tmp"
mv "$LIVE_KEY.tmp" "$LIVE_KEY"
mv "$LIVE_CRT.tmp" "$LIVE_CRT"
check "rotation: SIGHUP reloads the configuration with the new certificate" lab_reload_sipedge
check "rotation: a new connection gets the new certificate (serial $new_serial)" \
  eq "$(tls_server_serial "$NS_CLIENT" "$LAB_EDGE:$TLS_PORT" edge.tls.test)" "$new_serial"
out=$(py request "$LAB_CLIENT" "$LAB_EDGE" "$TLS_PORT" --ca "$TLS_PKI/lab.crt" --servername edge.tls.test)
check "rotation: ... and is answered ($out)" grep -q "^SIP/2.0 200 OK|$new_serial|" <<<"$out"
touch "$LAB_TMP/held.go"
for _ in $(seq 100); do kill -0 "$held_pid" 2>/dev/null || break; sleep 0.1; done
check "rotation: the connection opened before the reload still works (OPTIONS 200 on it)" \
  grep -q '^after 200$' "$LAB_TMP/held.out"
lab_metrics "$LAB_TMP/m8"
check "sipedge_tls_certificate_expiry_seconds follows the rotation: within a day of 90 days" \
  expiry_ok "$LAB_TMP/m8" "$LAB_TMP/new.crt"

lab_stop_sipedge
check "sipedge exits 0 on SIGTERM" eq "$SIPEDGE_RC" 0
lab_finish
