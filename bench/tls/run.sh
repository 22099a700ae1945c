#!/usr/bin/env bash
# TLS benchmark (`make bench`): SIP over TLS, sipedge versus Kamailio 5.6's tls module, side by
# side in one run, each server alone on core 0 and tls_loadgen (TLS client + a UDP responder
# answering 200 OK) on core 1. Per server: memory per idle TLS connection, full and resumed
# handshakes/s, MESSAGE -> 200 OK transactions/s over established TLS connections (absolute
# and per CPU-second of the server), then a table with the ratios and the issue-11 targets
# (>= 2x Kamailio messages/s over TLS, <= 0.5x its memory per connection). README.md explains.
#
# This script prepares the machine (builds tls_loadgen, installs Kamailio's tls module when
# missing, makes an EC P-256 CA and server certificate with the openssl CLI in a temp dir,
# creates a network namespace) and runs measure.sh inside the namespace; on exit it kills
# what is left there and removes the namespace and the temp dir.
#
# usage: bench/tls/run.sh BUILD_DIR   (root)
# env: TLS_BENCH_SECONDS (measured window per run, 4), TLS_BENCH_IDLE (idle connections,
#      1000), TLS_BENCH_SCHED (rr | nice | none), SIPEDGE_BIN, TLS_BENCH_ORDER
#      ("kamailio sipedge", the order the servers are measured in)
set -euo pipefail
build=$(cd "${1:-build}" && pwd)
here=$(cd "$(dirname "$0")" && pwd)
# shellcheck source=../../tests/integration/lib/processes.sh
source "$here/../../tests/integration/lib/processes.sh"

if [ "$(id -u)" -ne 0 ]; then
  echo "bench/tls: needs root (network namespace, real-time scheduling)" >&2
  exit 1
fi

if ! cmake --build "$build" --target tls_loadgen sipedge >/dev/null; then
  # A tree that does not configure right now (another folder mid-edit) need not stop a run
  # with programs already built.
  [ -x "$build/bench/tls/tls_loadgen" ] || exit 1
  echo "bench/tls: build failed; using the programs already in $build" >&2
fi

if [ ! -e /usr/lib/x86_64-linux-gnu/kamailio/modules/tls.so ] &&
  ! ls /usr/lib/*/kamailio/modules/tls.so >/dev/null 2>&1; then
  echo "bench/tls: installing kamailio-tls-modules (Debian package) for the comparison"
  bash "$here/../../tools/install-deps.sh" kamailio kamailio-tls-modules >/dev/null || true
fi

ns=setlsbench$$
tmp=$(mktemp -d /tmp/sipedge-tlsbench.XXXXXX)
cleanup() {
  set +e
  # Anything still running in our namespace was started by measure.sh.
  kill_netns_pids "$ns"
  ip netns del "$ns" 2>/dev/null
  rm -rf "$tmp"
}
trap cleanup EXIT
trap "exit 130" INT TERM

# A CA and a server certificate for tls.bench.test / 127.0.0.1, EC P-256 (the same for both).
pki=$tmp/pki
mkdir -p "$pki"
(
  cd "$pki"
  openssl ecparam -name prime256v1 -genkey -noout -out ca.key
  openssl req -x509 -new -key ca.key -sha256 -days 2 -subj "/CN=sipedge tls bench CA" -out ca.crt
  openssl ecparam -name prime256v1 -genkey -noout -out server.key
  openssl req -new -key server.key -subj "/CN=tls.bench.test" -out server.csr
  printf 'subjectAltName=DNS:tls.bench.test,IP:127.0.0.1\nbasicConstraints=CA:FALSE\nkeyUsage=digitalSignature\nextendedKeyUsage=serverAuth\n' >ext.cnf
  openssl x509 -req -in server.csr -CA ca.crt -CAkey ca.key -CAcreateserial -days 2 -sha256 \
    -extfile ext.cnf -out server.leaf.crt
  cat server.leaf.crt ca.crt >server.crt # chain, leaf first
) >"$tmp/pki.log" 2>&1 || {
  cat "$tmp/pki.log" >&2
  exit 1
}

ip netns add "$ns"
ip -n "$ns" link set lo up
# The handshake runs close thousands of connections a second: let the client reuse ports in
# TIME_WAIT and use the whole port range (both per namespace).
ip netns exec "$ns" sysctl -q -w net.ipv4.ip_local_port_range="1024 65535" net.ipv4.tcp_tw_reuse=1

ip netns exec "$ns" bash "$here/measure.sh" "$build" "$tmp"
