#!/usr/bin/env bash
# Integration: sipedge and Kamailio's tls module (kamailio-tls-modules) as real TLS peers of
# each other, mutual TLS both ways, certificates from a CA the test makes (tls/pki.sh).
#
#   (a) SIPp UAC -(UDP)-> Kamailio -(TLS)-> sipedge -(UDP)-> SIPp UAS
#       Kamailio runs in the client namespace on an address of its own, 10.10.1.20 (UDP 5060,
#       TLS 5061), and relays everything to sipedge's TLS listener 10.10.1.1:5061, which
#       requires a client certificate from the lab CA (Kamailio presents one).
#   (b) SIPp UAC -(UDP)-> sipedge -(TLS)-> Kamailio -(UDP)-> SIPp UAS
#       Kamailio runs in the server namespace on 10.10.2.4 and relays to the UAS. sipedge finds
#       it through DNS: kam.tls.test's NAPTR prefers SIPS+D2T, so a sip: URI leaves over TLS
#       unchanged (R4, R1); kamsrv.tls.test;transport=tls selects TLS through _sips._tcp and
#       stays a sip: URI with its parameter (R5). Kamailio requires sipedge's client
#       certificate and picks its server certificate by SNI: its default certificate names
#       only the SRV target kam-srv.tls.test (which sipedge must refuse, R8), so a call that
#       completes proves sipedge sent the domain as SNI and verified the domain.
# Asserted: every call completes, the UAS receives each Request-URI byte for byte as sent,
# the handshakes are counted (in and out, ok, none failed), the requests crossed TLS
# (sipedge_sip_requests_total{transport="tls"}, and Kamailio's log of what it received over
# tls), connections are reused (at most one handshake per worker), and connections by version.
# Usage: tls_kamailio.sh BUILD_DIR. Needs root and Kamailio with its tls module (installed
# from Debian if missing; skipped, 77, if that fails).
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
# shellcheck source=tests/integration/lib/lab.sh
source "$here/lib/lab.sh"
# shellcheck source=tests/integration/tls/lab_tls.sh
source "$here/tls/lab_tls.sh"
lab_init stk "${1:?usage: tls_kamailio.sh BUILD_DIR}"
tls_require_tools kamailio
lab_up
lab_start_nsd "$(tls_zones)"
tls_pki
workers=2
calls=10
KAM_IN=10.10.1.20 KAM_OUT=10.10.2.4

# --- certificates -----------------------------------------------------------------------------
pki_leaf edge-client lab edge.tls.test "DNS:edge.tls.test" # sipedge's client certificate ([tls])
pki_leaf kam-in lab kam-in.tls.test "DNS:kam-in.tls.test,IP:$KAM_IN"
pki_leaf kam-target lab kam-srv.tls.test "DNS:kam-srv.tls.test" # the SRV target only: wrong (R8)
pki_leaf kam-dom lab kam.tls.test "DNS:kam.tls.test"
pki_leaf kamsrv-dom lab kamsrv.tls.test "URI:sip:kamsrv.tls.test" # a SIP URI SAN (RFC 5922 7.1)

# --- Kamailio, both sides -----------------------------------------------------------------------
tls_add_address "$NS_CLIENT" "$KAM_IN/24"
tls_add_address "$NS_SERVER" "$KAM_OUT/24"
cat >"$LAB_TMP/kam-in.tls.cfg" <<CFG
[server:default]
method = TLSv1.2+
verify_certificate = no
require_certificate = no
certificate = $TLS_PKI/kam-in.chain.crt
private_key = $TLS_PKI/kam-in.key

[client:default]
method = TLSv1.2+
verify_certificate = yes
require_certificate = yes
ca_list = $TLS_PKI/lab.crt
certificate = $TLS_PKI/kam-in.chain.crt
private_key = $TLS_PKI/kam-in.key
server_name = edge.tls.test
CFG
kam_profile() { # kam_profile HEADER CERT [SERVER_NAME]: one server profile requiring a client cert
  printf '[%s]\nmethod = TLSv1.2+\nverify_certificate = yes\nrequire_certificate = yes\n' "$1"
  printf 'ca_list = %s\ncertificate = %s\nprivate_key = %s\n' "$TLS_PKI/lab.crt" \
    "$TLS_PKI/$2.chain.crt" "$TLS_PKI/$2.key"
  [ -z "${3:-}" ] || printf 'server_name = %s\nserver_id = %s\n' "$3" "$3"
  echo
}
{
  kam_profile server:default kam-target
  kam_profile server:any kam-dom kam.tls.test
  kam_profile server:any kamsrv-dom kamsrv.tls.test
  printf '[client:default]\nverify_certificate = no\nrequire_certificate = no\n'
} >"$LAB_TMP/kam-out.tls.cfg"
tls_start_kamailio kam-in "$NS_CLIENT" "sip:$LAB_EDGE:$TLS_PORT;transport=tls" "$LAB_TMP/kam-in.tls.cfg" norr \
  "udp:$KAM_IN:5060" "tls:$KAM_IN:$TLS_PORT"
tls_start_kamailio kam-out "$NS_SERVER" "sip:$LAB_UAS:5060;transport=udp" "$LAB_TMP/kam-out.tls.cfg" rr \
  "udp:$KAM_OUT:5060" "tls:$KAM_OUT:$TLS_PORT"
check "Kamailio (out) presents the domain's certificate for SNI kam.tls.test" \
  eq "$(tls_server_serial "$NS_EDGE" "$KAM_OUT:$TLS_PORT" kam.tls.test edge-client)" "$(pki_serial "$TLS_PKI/kam-dom.crt")"

# --- sipedge ------------------------------------------------------------------------------------
lab_start_uas uas-udp u1
cat >"$LAB_TMP/sipedge.toml" <<TOML
[daemon]
workers = $workers
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
tls_certificate = "$TLS_PKI/edge.chain.crt"
tls_key = "$TLS_PKI/edge.key"
tls_ca = "$TLS_PKI/lab.crt"
tls_client_certificates = "require"

[dns]
servers = ["$LAB_DNS"]

[tls]
ca = "$TLS_PKI/lab.crt"
certificate = "$TLS_PKI/edge-client.chain.crt"
key = "$TLS_PKI/edge-client.key"

[metrics]
listen = "$LAB_METRICS"
TOML
tls_start_sipedge "$LAB_TMP/sipedge.toml"
lab_metrics "$LAB_TMP/m0"

# call_checks NAME DOMAIN DESCRIPTION RC: the calls completed and the UAS got each request line.
call_checks() {
  local name=$1 domain=$2 d=$3 rc=$4
  lab_calls_ok "$name" "$calls" "$d" "$rc"
  check "$d: the UAS received every INVITE's request line exactly as sent (R1)" \
    diff <(lab_request_lines "$LAB_TMP/$name.msg" INVITE) \
    <(lab_request_lines "$LAB_TMP/uas-udp.msg" INVITE | grep -F "@$domain SIP/2.0")
  check "$d: the UAS saw $calls distinct INVITEs" \
    eq "$(lab_request_lines "$LAB_TMP/uas-udp.msg" INVITE | grep -cF "@$domain SIP/2.0")" "$calls"
}

# --- (a) Kamailio -(TLS)-> sipedge ---------------------------------------------------------------
rc=0
lab_uac_between kam-in-calls u1 "$LAB_CLIENT" "$KAM_IN" both.lab.test "$calls" || rc=$?
call_checks kam-in-calls both.lab.test "(a) UAC -UDP-> Kamailio -TLS-> sipedge -UDP-> UAS" "$rc"
lab_metrics "$LAB_TMP/m1"
d="(a) Kamailio -TLS-> sipedge"
check "$d: sipedge received the INVITEs over TLS" \
  eq "$(tls_metric_delta "$LAB_TMP/m0" "$LAB_TMP/m1" 'sipedge_sip_requests_total{direction="in",transport="tls",method="INVITE"}')" "$calls"
check "$d: ... and the ACKs and BYEs (Kamailio relays the whole dialog)" \
  eq "$(tls_metric_delta "$LAB_TMP/m0" "$LAB_TMP/m1" 'sipedge_sip_requests_total{direction="in",transport="tls",method="BYE"}')" "$calls"
check "$d: Kamailio received the 200s back over TLS" \
  ge "$(grep -c "reply tls from $LAB_EDGE:$TLS_PORT: 200" "$LAB_TMP/kam-in.out" || true)" "$((2 * calls))"
in_ok=$(tls_metric_delta "$LAB_TMP/m0" "$LAB_TMP/m1" 'sipedge_tls_handshakes_total{direction="in",result="ok"}')
check "$d: inbound handshakes counted ok (Kamailio's client certificate verified): 1..$((2 * workers)) ($in_ok)" \
  test "$in_ok" -ge 1 -a "$in_ok" -le $((2 * workers))
check "$d: no inbound handshake failed" \
  eq "$(lab_metric "$LAB_TMP/m1" 'sipedge_tls_handshakes_total{direction="in",result="failed"}')" 0
check "$d: the connection is open and counted by version" \
  ge "$(lab_metric "$LAB_TMP/m1" 'sipedge_tls_connections')" 1
expiry=$(lab_metric "$LAB_TMP/m1" "sipedge_tls_certificate_expiry_seconds{certificate=\"$TLS_PKI/edge.chain.crt\"}")
check "sipedge_tls_certificate_expiry_seconds for the listener's 30-day certificate: 29..30 days ($expiry s)" \
  test "$expiry" -gt $((29 * 86400)) -a "$expiry" -le $((30 * 86400))
expiry=$(lab_metric "$LAB_TMP/m1" "sipedge_tls_certificate_expiry_seconds{certificate=\"$TLS_PKI/edge-client.chain.crt\"}")
check "sipedge_tls_certificate_expiry_seconds for the [tls] client certificate: 29..30 days ($expiry s)" \
  test "$expiry" -gt $((29 * 86400)) -a "$expiry" -le $((30 * 86400))
check "$d: sipedge's TLS peer was Kamailio's own address $KAM_IN" ge "$(lab_log_count "tls from $KAM_IN:[0-9]+ established")" 1

# --- (b) sipedge -(TLS)-> Kamailio ---------------------------------------------------------------
# b_case NAME DOMAIN DESCRIPTION: calls through sipedge to DOMAIN, which resolves to Kamailio over TLS.
b_case() {
  local name=$1 domain=$2 d=$3 rc=0 before after byes
  lab_metrics "$LAB_TMP/$name.before"
  before=$(tls_kamailio_relayed kam-out tls INVITE) byes=$(tls_kamailio_relayed kam-out tls BYE)
  lab_uac "$name" u1 "$domain" "$calls" || rc=$?
  call_checks "$name" "$domain" "$d" "$rc"
  lab_metrics "$LAB_TMP/$name.after"
  after=$(tls_kamailio_relayed kam-out tls INVITE)
  check "$d: Kamailio received the $calls INVITEs over TLS from sipedge" eq "$((after - before))" "$calls"
  check "$d: ... and the BYEs, along its sip:DOMAIN;transport=tls Record-Route (identity = DOMAIN again)" \
    eq "$(($(tls_kamailio_relayed kam-out tls BYE) - byes))" "$calls"
  check "$d: sipedge sent the INVITEs over TLS" \
    eq "$(tls_metric_delta "$LAB_TMP/$name.before" "$LAB_TMP/$name.after" 'sipedge_sip_requests_total{direction="out",transport="tls",method="INVITE"}')" "$calls"
  local ok
  ok=$(tls_metric_delta "$LAB_TMP/$name.before" "$LAB_TMP/$name.after" 'sipedge_tls_handshakes_total{direction="out",result="ok"}')
  check "$d: outbound handshakes 1..$workers: connections reused across calls ($ok)" \
    test "$ok" -ge 1 -a "$ok" -le "$workers"
  check "$d: no outbound handshake failed (SNI = the domain, its certificate verified)" \
    eq "$(tls_metric_delta "$LAB_TMP/$name.before" "$LAB_TMP/$name.after" 'sipedge_tls_handshakes_total{direction="out",result="failed"}')" 0
}
b_case kam-out-naptr kam.tls.test "(b) UAC -UDP-> sipedge -TLS (NAPTR SIPS+D2T)-> Kamailio -UDP-> UAS"
check "(b) the Request-URI stayed sip: (R4: TLS for the hop, the URI unchanged)" \
  bash -c "! grep -aq '^INVITE sips:' '$LAB_TMP/uas-udp.msg'"
b_case kam-out-param "kamsrv.tls.test;transport=tls" "(b) UAC -UDP-> sipedge -TLS (transport=tls)-> Kamailio -UDP-> UAS"
check "(b) transport=tls reached the UAS unchanged in a sip: URI (R5)" \
  grep -aq '^INVITE sip:call-1@kamsrv.tls.test;transport=tls SIP/2.0' "$LAB_TMP/uas-udp.msg"

lab_metrics "$LAB_TMP/m9"
check "TLS connections are counted by version (TLSv1.3 between these peers)" \
  ge "$(lab_metric "$LAB_TMP/m9" 'sipedge_tls_connections{version="TLSv1.3"}')" 2
check "no handshake failure of any reason was counted" \
  eq "$(lab_metric "$LAB_TMP/m9" 'sipedge_tls_handshake_failures_total')" 0
check "Kamailio logged no TLS error" \
  bash -c "! grep -h 'ERROR: tls' '$LAB_TMP/kam-in.out' '$LAB_TMP/kam-out.out'"

lab_stop_sipedge
check "sipedge exits 0 on SIGTERM" eq "$SIPEDGE_RC" 0
lab_finish
