#!/usr/bin/env bash
# Demo of RFC 3263 resolution: a real NSD serving the test zone on 127.0.0.1 (started and
# stopped here), and sipedge-resolve following NAPTR -> SRV -> A/AAAA through it.
set -euo pipefail
build=$(cd "${1:-build}" && pwd)
root=$(cd "$(dirname "$0")/../.." && pwd)
RESOLVE=$build/tools/sipedge-resolve/sipedge-resolve
port=${SIPEDGE_DEMO_DNS_PORT:-53571}

step() { printf '\n\033[1m== %s\033[0m\n' "$*"; }
# shellcheck source=tests/resolve/nsd_harness.sh
source "$root/tests/resolve/nsd_harness.sh"
start_nsd demo "$port" sipedge.test servfail.test
wait_dns_ready "$RESOLVE" --dns "127.0.0.1:$port" --timeout-ms 100 --tries 1 sip:plain.sipedge.test

step "RFC 3263: sip:alice@sipedge.test (NAPTR -> SRV -> A/AAAA; the URI stays as it is, R1)"
"$RESOLVE" --dns "127.0.0.1:$port" --seed 1 --json sip:alice@sipedge.test | jq .

step "R3: sips:alice@sipedge.test keeps only SIPS+ services, TLS identity is the URI's domain (R8)"
"$RESOLVE" --dns "127.0.0.1:$port" --seed 1 sips:alice@sipedge.test

step "a name that does not exist: exit 3 with the reason"
"$RESOLVE" --dns "127.0.0.1:$port" sip:nobody.nowhere.sipedge.test || echo "(exit $?)"
