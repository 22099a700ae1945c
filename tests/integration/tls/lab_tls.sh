# shellcheck shell=bash
# shellcheck disable=SC2034 # TLS_* variables are this library's interface to the tls*.sh tests
# shellcheck disable=SC2154 # lab_lib_dir, LAB_*, NS_*: set by lib/lab.sh, sourced first
# What the TLS integration tests (tests/integration/tls*.sh) share on top of lib/lab.sh:
# the test PKI (pki.sh), Kamailio with its tls module as the real TLS peer
# (kamailio-relay.cfg), the zones (lab zones plus tls.test), tls_sip.py, and sipedge started
# with a TOML file (TLS listeners exist only there).
#
# usage: source lib/lab.sh; source tls/lab_tls.sh; lab_init ...; tls_require_tools; lab_up; ...
tls_lib_dir=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
# shellcheck source=tests/integration/tls/pki.sh
source "$tls_lib_dir/pki.sh"
TLS_PY=$tls_lib_dir/tls_sip.py
TLS_PORT=5061
KAMAILIO=/usr/sbin/kamailio
TLS_KAMAILIO_MODULES=/usr/lib/x86_64-linux-gnu/kamailio/modules

# tls_require_tools openssl|kamailio: the openssl CLI and python's ssl; with "kamailio" also
# Kamailio's tls module, installed from Debian when missing (as bench/router/run.sh does);
# exit 77 (skip) if it cannot be.
tls_require_tools() {
  command -v openssl >/dev/null || lab_die "tls: the openssl CLI is not installed"
  "$LAB_PY" -c 'import ssl' 2>/dev/null || lab_die "tls: $LAB_PY has no ssl module"
  [ "${1:-}" = kamailio ] || return 0
  if [ ! -x "$KAMAILIO" ] || [ ! -e "$TLS_KAMAILIO_MODULES/tls.so" ]; then
    echo "# installing kamailio and kamailio-tls-modules (Debian packages)"
    bash "$lab_lib_dir/../../../tools/install-deps.sh" kamailio kamailio-tls-modules \
      >/dev/null 2>&1 || true
  fi
  if [ ! -x "$KAMAILIO" ] || [ ! -e "$TLS_KAMAILIO_MODULES/tls.so" ]; then
    echo "# skipped: kamailio-tls-modules is not installed and could not be" >&2
    exit 77
  fi
}

# tls_pki: the lab CA ("lab", trusted by everyone), a CA nobody trusts ("rogue"), and
# sipedge's own listener certificate ("edge": edge.tls.test and its addresses), in
# $TLS_PKI.
tls_pki() {
  TLS_PKI=$LAB_TMP/pki
  pki_init "$TLS_PKI"
  pki_ca lab
  pki_ca rogue
  pki_leaf edge lab edge.tls.test "DNS:edge.tls.test,IP:$LAB_EDGE,IP:$LAB_EDGE_INNER"
}

# tls_zones: $LAB_TMP/zones with the lab's zones and tls/tls.test.zone; prints the folder
# (for lab_start_nsd).
tls_zones() {
  local d=$LAB_TMP/zones
  mkdir -p "$d"
  cp "$lab_lib_dir"/../zones/*.zone "$tls_lib_dir/tls.test.zone" "$d/"
  echo "$d"
}

# tls_add_address NS ADDR/LEN: one more lab address on NS's lab link (10.10.1.x on the
# client side, 10.10.2.x on the server side), for a TLS peer of its own.
tls_add_address() {
  local ns=$1 dev
  case $ns in
  "$NS_CLIENT") dev=${LAB_ID}c ;;
  "$NS_SERVER") dev=${LAB_ID}s ;;
  *) lab_die "tls_add_address: no lab link known in $ns" ;;
  esac
  in_ns "$ns" ip addr add "$2" dev "$dev"
}

# tls_start_kamailio NAME NS RELAY_TO TLS_CFG rr|norr LISTEN...: Kamailio (kamailio-relay.cfg)
# in NS relaying every request to RELAY_TO, its tls module configured by TLS_CFG, listening on
# each LISTEN (proto:addr:port); rr: it Record-Routes (WITH_RR, for a Kamailio in front of the
# SIPp UAS). Its outgoing TCP/TLS connections come from the first LISTEN's address. Waits for
# its TLS listeners; log in $LAB_TMP/NAME.out.
tls_start_kamailio() {
  local name=$1 ns=$2 relay=$3 cfg=$4 rr=$5 l args=() src
  shift 5
  [ "$rr" = rr ] && args+=(-A WITH_RR)
  src=${1#*:}
  args+=(-A "TCP_SOURCE=${src%:*}")
  for l in "$@"; do args+=(-l "$l"); done
  mkdir -p "$LAB_TMP/$name.run"
  lab_bg "$name" "$ns" "$KAMAILIO" -f "$tls_lib_dir/kamailio-relay.cfg" -DD -E -m 64 -M 8 \
    -Y "$LAB_TMP/$name.run" -P "$LAB_TMP/$name.run/kamailio.pid" \
    -A "RELAY_TO=\"$relay\"" -A "TLS_CFG=\"$cfg\"" "${args[@]}"
  local pid=$LAB_LAST_PID
  for l in "$@"; do
    [[ $l == tls:* ]] || continue
    lab_wait_listen "$ns" t "${l##*:}" "$pid" ||
      lab_die "Kamailio $name did not start: $(tail -n 20 "$LAB_TMP/$name.out")"
  done
  # The TLS module is ready once the listener is; give its children a moment to start too.
  sleep 0.5
  kill -0 "$pid" 2>/dev/null || lab_die "Kamailio $name exited: $(tail -n 20 "$LAB_TMP/$name.out")"
}

# tls_kamailio_relayed NAME PROTO METHOD: METHOD requests Kamailio NAME logged as received
# over PROTO.
tls_kamailio_relayed() {
  grep -c "relay $2 from [^ ]* to [^ ]*: $3 " "$LAB_TMP/$1.out" || true
}

# tls_start_sipedge CONFIG [ARGS...]: sipedge with --config CONFIG (plus ARGS); waits for
# every listener in the file (lab_start_sipedge waits only for --listen flags) and, when the
# file has a [metrics] table, the metrics endpoint (the tests put it on $LAB_METRICS).
tls_start_sipedge() {
  local cfg=$1 port proto
  shift
  lab_start_sipedge --config "$cfg" "$@"
  # [[listen]] tables: transport then port (this file's own layout, written by the tests).
  while read -r proto port; do
    lab_wait_listen "$NS_EDGE" "${proto:0:1}" "$port" "$SIPEDGE_PID" ||
      lab_die "sipedge --config $cfg: nothing listens on $proto port $port"
  done < <(awk -F'"' '/^transport *=/ { t = ($2 == "udp") ? "u" : "t" }
                      /^port *=/ { split($0, a, "="); gsub(/ /, "", a[2]); print t, a[2] }' "$cfg")
  if grep -q '^\[metrics\]' "$cfg"; then
    lab_wait_listen "$NS_EDGE" t "${LAB_METRICS##*:}" "$SIPEDGE_PID" ||
      lab_die "sipedge --config $cfg: no metrics endpoint on $LAB_METRICS"
  fi
}

# tls_metric_delta BEFORE AFTER 'SERIES': the change of one series between two scrapes.
tls_metric_delta() {
  echo $(($(lab_metric "$2" "$3") - $(lab_metric "$1" "$3")))
}

# tls_py CMD SRC DST PORT [ARGS...]: tls_sip.py in the client namespace.
tls_py() {
  in_client "$LAB_PY" "$TLS_PY" "$@"
}

# tls_server_serial NS ADDR:PORT [SERVERNAME [CLIENT_CERT]]: the serial of the certificate a TLS
# server presents to a new connection (openssl s_client from NS, presenting the pki leaf
# CLIENT_CERT if given), "" when no handshake.
tls_server_serial() {
  local ns=$1 hp=$2 sni=${3:-} cert=${4:-}
  local sniargs=()
  [ -n "$sni" ] && sniargs=(-servername "$sni")
  [ -n "$cert" ] && sniargs+=(-cert "$TLS_PKI/$cert.chain.crt" -key "$TLS_PKI/$cert.key")
  in_ns "$ns" timeout 10 openssl s_client -connect "$hp" "${sniargs[@]}" -CAfile "$TLS_PKI/lab.crt" \
    </dev/null 2>/dev/null | openssl x509 -noout -serial 2>/dev/null | sed 's/^serial=//; s/^0*//'
}
