#!/usr/bin/env bash
# Integration test: a real authoritative DNS server (NSD, foreground, own config in a temp
# dir) serves tests/resolve/zones/ on 127.0.0.1; `sipedge-resolve --json` runs against it
# and jq checks the output. A silent listener stands in for a dead server.
#
# usage: run_integration.sh SIPEDGE_RESOLVE DNS_BLACKHOLE
set -euo pipefail

resolve_bin=$1
blackhole_bin=$2
here=$(cd "$(dirname "$0")" && pwd)
port=${SIPEDGE_TEST_DNS_PORT:-53531}
dead_port=$((port + 1))    # a listener that never answers: timeouts
closed_port=$((port + 2))  # nobody listening at all
other_port=$((port + 3))   # second server: other.test
stale_port=$((port + 4))   # stale.test: stopped mid-test, then silent (serve-stale)

command -v jq >/dev/null || { echo "FAIL: jq not installed" >&2; exit 1; }
# shellcheck source=tests/resolve/nsd_harness.sh
source "$here/nsd_harness.sh"

# The main server; other.test lives on a second server, so a CNAME into it must be chased
# with a new query (the main server answers REFUSED for it, the driver fails over).
start_nsd main "$port" sipedge.test servfail.test
start_nsd other "$other_port" other.test
start_nsd stale "$stale_port" stale.test
stale_nsd_pid=${pids[-1]}
"$blackhole_bin" 127.0.0.1 "$dead_port" >"$tmp/blackhole.out" 2>&1 &
pids+=($!)

wait_dns_ready "$resolve_bin" --dns "127.0.0.1:$port" --timeout-ms 100 --tries 1 sip:plain.sipedge.test
wait_dns_ready "$resolve_bin" --dns "127.0.0.1:$other_port" --timeout-ms 100 --tries 1 sip:pbx.other.test
wait_dns_ready "$resolve_bin" --dns "127.0.0.1:$stale_port" --timeout-ms 100 --tries 1 sip:pbx.stale.test:5060
for _ in $(seq 1 50); do grep -q ready "$tmp/blackhole.out" && break; sleep 0.1; done
dns=(--dns "127.0.0.1:$port")

failures=0
out=""
rc=0
# run EXPECTED_RC ARGS... : runs sipedge-resolve, keeps stdout in $out, checks the exit code.
run() {
  local want=$1
  shift
  set +e
  out=$("$resolve_bin" "$@" 2>"$tmp/stderr")
  rc=$?
  set -e
  if [ "$rc" != "$want" ]; then
    echo "FAIL: sipedge-resolve $* exited $rc, expected $want" >&2
    echo "$out" >&2
    cat "$tmp/stderr" >&2
    failures=$((failures + 1))
  fi
}
# check NAME JQ-EXPRESSION: the last output must satisfy the expression.
check() {
  if jq -e "$2" >/dev/null <<<"$out"; then
    echo "ok   $1"
  else
    echo "FAIL $1: $2" >&2
    echo "$out" | jq . >&2 || echo "$out" >&2
    failures=$((failures + 1))
  fi
}

# NAPTR → SRV → A/AAAA; SCTP skipped; TLS first for a sip: URI (R4) with the URI's domain
# as the TLS identity (R8); priority 10 before the priority-20 backup.
run 0 "${dns[@]}" --json --seed 1 "sip:alice@sipedge.test"
check naptr_full_chain '.uri == "sip:alice@sipedge.test" and .tls_identity == "sipedge.test"'
check naptr_sctp_skipped '[.steps[] | select(.type == "SRV") | .query] | index("_sip._sctp.sipedge.test") == null'
check naptr_srvs_followed '[.steps[] | select(.type == "SRV") | .query] == ["_sips._tcp.sipedge.test", "_sip._tcp.sipedge.test", "_sip._udp.sipedge.test"]'
check r4_sip_uri_tls_first '.targets[0].transport == "tls" and .targets[0].port == 5061'
check transports_in_naptr_order '[.targets[].transport] | (index("tls") < index("tcp")) and (index("tcp") < index("udp"))'
check srv_priority_backup_last '[.targets[] | select(.transport == "tls") | .host] | .[-1] == "backup.sipedge.test"'
check interleave_ipv6_first '[.targets[] | select(.host == "pbx-a.sipedge.test" and .transport == "tls") | .address] == ["2001:db8::10", "192.0.2.10"]'
check three_round_trips '.round_trips == 3'
# Every name on this chain exists (absent types are NODATA, i.e. NOERROR with 0 answers).
check step_rcodes '[.steps[].rcode] | all(. == "NOERROR")'

# --seed makes the weighted order reproducible; over many seeds both weighted targets lead.
run 0 "${dns[@]}" --json --seed 7 "sip:alice@sipedge.test"
first=$(jq -c '[.targets[].address]' <<<"$out")
run 0 "${dns[@]}" --json --seed 7 "sip:alice@sipedge.test"
check seed_reproducible "[.targets[].address] == $first"
leaders=""
for seed in $(seq 1 40); do
  run 0 "${dns[@]}" --json --seed "$seed" "sips:alice@sipedge.test"
  leaders+=$(jq -r '.targets[0].host' <<<"$out")$'\n'
done
if grep -q '^pbx-a.sipedge.test$' <<<"$leaders" && grep -q '^pbx-b.sipedge.test$' <<<"$leaders" &&
  ! grep -q '^backup' <<<"$leaders"; then
  echo "ok   srv_weights_both_lead_backup_never"
else
  echo "FAIL srv_weights_both_lead_backup_never: $(sort <<<"$leaders" | uniq -c)" >&2
  failures=$((failures + 1))
fi

# sips: keeps only SIPS+ services (R3).
run 0 "${dns[@]}" --json --seed 1 "sips:alice@sipedge.test"
check r3_sips_only_tls '[.targets[].transport] | all(. == "tls")'
check r3_sips_no_plain_srv '[.steps[] | select(.type == "SRV") | .query] == ["_sips._tcp.sipedge.test"]'

# transport= skips NAPTR (R2); transport=tls keeps the sip: URI and selects TLS (R5).
run 0 "${dns[@]}" --json "sip:alice@sipedge.test;transport=tcp"
check r2_no_naptr '[.steps[].type] | index("NAPTR") == null'
check r2_tcp_srv_only '[.steps[] | select(.type == "SRV") | .query] == ["_sip._tcp.sipedge.test"] and ([.targets[].transport] | all(. == "tcp"))'
run 0 "${dns[@]}" --json "sip:alice@sipedge.test;transport=tls"
check r5_transport_tls '.uri == "sip:alice@sipedge.test;transport=tls" and .targets[0].transport == "tls" and .tls_identity == "sipedge.test"'

# No NAPTR: all SRVs at once in preference order TLS, TCP, UDP.
run 0 "${dns[@]}" --json "sip:srvonly.sipedge.test"
check srv_fallback_all_transports '[.steps[] | select(.type == "SRV") | .query] == ["_sips._tcp.srvonly.sipedge.test", "_sip._tcp.srvonly.sipedge.test", "_sip._udp.srvonly.sipedge.test"]'
check srv_fallback_order '[.targets[] | [.transport, .port]] | .[0] == ["tcp", 5080] and .[-1] == ["udp", 5070]'

# No NAPTR, no SRV: A/AAAA, default port, UDP; --prefer ipv4.
run 0 "${dns[@]}" --json --prefer ipv4 "sip:plain.sipedge.test"
check address_fallback '[.targets[] | [.transport, .port, .address]] == [["udp", 5060, "192.0.2.20"], ["udp", 5060, "2001:db8::20"]]'
# plain.sipedge.test exists (it has A/AAAA): its NAPTR is NODATA, never NXDOMAIN.
check nodata_is_noerror_zero '[.steps[] | select(.type == "NAPTR")][0] | .rcode == "NOERROR" and .answers == 0'
run 0 "${dns[@]}" --json "sips:plain.sipedge.test"
check sips_address_fallback_tls '[.targets[] | [.transport, .port]] | all(. == ["tls", 5061])'

# Explicit port: A/AAAA only; CNAME inside the zone and into another zone.
run 0 "${dns[@]}" --json "sip:alias.sipedge.test:5062"
check cname_in_zone '.targets[0].port == 5062 and ([.targets[].address] | index("192.0.2.10") != null) and ([.steps[].type] | index("CNAME") != null) and ([.steps[].type] | index("NAPTR") == null)'
run 0 "${dns[@]}" --dns "127.0.0.1:$other_port" --json "sip:ext.sipedge.test:5060"
check cname_chased_into_other_zone '[.targets[].address] == ["192.0.2.40"] and ([.steps[] | select(.type == "CNAME" and .query == "ext.sipedge.test")] | length > 0) and ([.steps[] | select(.type == "A" and .query == "pbx.other.test" and .answers == 1)] | length == 1)'

# Numeric host: no DNS at all.
run 0 "${dns[@]}" --json "sips:[2001:db8::99]"
check numeric_host_no_dns '.steps == [] and .targets == [{"transport": "tls", "host": "2001:db8::99", "port": 5061, "address": "2001:db8::99"}]'

# "." target: not available here, and no A/AAAA fallback for it.
run 3 "${dns[@]}" --json "sip:nosip.sipedge.test;transport=udp"
check dot_target_unavailable '.targets == [] and (.error | test("not available"))'

# Missing records: every lookup NXDOMAIN, exit 3 with the JSON and an error.
run 3 "${dns[@]}" --json "sip:nothing.sipedge.test"
check missing_records '.targets == [] and (.error | length > 0) and ([.steps[].rcode] | all(. == "NXDOMAIN"))'

# SERVFAIL from a zone the server cannot load.
run 3 "${dns[@]}" --json --timeout-ms 200 --tries 1 "sip:servfail.test"
check servfail_kept_distinct '.targets == [] and ([.steps[].rcode] | all(. == "SERVFAIL")) and (.error | test("SERVFAIL"))'

# Dead servers: a silent one (timeout) and a closed port; then several servers, the dead
# one first, still resolve.
run 3 --dns "127.0.0.1:$dead_port" --json --timeout-ms 200 --tries 1 "sip:alice@sipedge.test"
check dead_server_timeout '.targets == [] and (.steps | length > 0) and ([.steps[].rcode] | all(. == "TIMEOUT"))'
run 3 --dns "127.0.0.1:$closed_port" --json --timeout-ms 200 --tries 1 "sip:alice@sipedge.test"
check closed_port_timeout '.targets == [] and ([.steps[].rcode] | all(. == "TIMEOUT"))'
run 0 --dns "127.0.0.1:$dead_port" "${dns[@]}" --json --timeout-ms 200 --tries 2 "sip:plain.sipedge.test"
check several_servers_failover '[.targets[].address] | index("192.0.2.20") != null'

# RFC 3263 §4.2: an SRV query that fails is not "no SRV records": no A/AAAA fallback to
# the domain's own A record (192.0.2.60), and an error that names the SRV failure.
run 3 "${dns[@]}" --json --timeout-ms 200 --tries 1 "sip:srvfail.sipedge.test"
check srv_servfail_no_fallback '.targets == [] and (.error | test("SRV lookup failed \\(SERVFAIL\\)")) and ([.steps[] | select(.type == "A" or .type == "AAAA")] == [])'

# Port 0 is no destination, in the URI or in an SRV record.
run 3 "${dns[@]}" --json "sip:plain.sipedge.test:0"
check uri_port_zero_refused '.targets == [] and (.error | test("port 0")) and .steps == []'
run 3 "${dns[@]}" --json "sip:zeroport.sipedge.test;transport=udp"
check srv_port_zero_refused '.targets == [] and (.error | test("port 0")) and ([.steps[] | select(.type == "A")] == [])'

# maddr is TARGET (RFC 3263 §4); the TLS identity stays the URI's domain (R8).
run 0 "${dns[@]}" --json --prefer ipv4 "sip:alice@sipedge.test;maddr=plain.sipedge.test"
check maddr_is_target '[.targets[] | [.transport, .port, .address]] == [["udp", 5060, "192.0.2.20"], ["udp", 5060, "2001:db8::20"]] and ([.steps[] | select(.query == "sipedge.test")] == [])'
run 0 "${dns[@]}" --json "sips:alice@sipedge.test;maddr=192.0.2.99"
check maddr_numeric '.steps == [] and .targets == [{"transport": "tls", "host": "192.0.2.99", "port": 5061, "address": "192.0.2.99"}] and .tls_identity == "sipedge.test"'

# A label over 63 octets: a bad name, reported without asking any server.
long_label=$(printf 'a%.0s' $(seq 1 64))
run 3 "${dns[@]}" --json "sip:$long_label.sipedge.test"
check bad_name_local '.targets == [] and (.error | test("bad name")) and .steps == []'

# Server health: with a silent first server and a good second one, only the first
# resolution waits for the silent one; the second asks the good server first, so no
# query reaches the silent one (its log counts what it swallowed).
before=$(grep -c '^query' "$tmp/blackhole.out" || true)
run 0 --dns "127.0.0.1:$dead_port" "${dns[@]}" --json --timeout-ms 300 --tries 1 \
  "sip:plain.sipedge.test" "sip:srvonly.sipedge.test"
first_wait=$(grep -c '^query' "$tmp/blackhole.out" || true)
if [ "$(wc -l <<<"$out")" -eq 2 ] && [ "$first_wait" -gt "$before" ]; then
  out2=$(sed -n 2p <<<"$out")
  if jq -e '.targets | length > 0' >/dev/null <<<"$out2"; then
    echo "ok   dead_server_behind_healthy_one_resolves ($(jq .elapsed_ms <<<"$out2") ms for the second)"
  else
    echo "FAIL dead_server_behind_healthy_one_resolves: $out2" >&2
    failures=$((failures + 1))
  fi
else
  echo "FAIL dead_server_first_wait: expected two results and queries at the silent server" >&2
  failures=$((failures + 1))
fi
# Only the first wave (NAPTR of the first URI) went to the silent server.
sleep 0.2
after=$(grep -c '^query' "$tmp/blackhole.out" || true)
if [ $((after - before)) -eq 1 ]; then echo "ok   silent_server_asked_once"; else
  echo "FAIL silent_server_asked_once: it got $((after - before)) queries" >&2
  failures=$((failures + 1))
fi

# The worst case is bounded and reported: a silent server and a 300 ms deadline.
run 3 --dns "127.0.0.1:$dead_port" --json --timeout-ms 2000 --tries 3 --deadline-ms 300 \
  "sip:alice@sipedge.test"
check deadline_bounds_and_reports '.targets == [] and .deadline_ms == 300 and (.error | test("deadline"))'

# A flood of names seen once (NXDOMAIN under sipedge.test) through a 64-entry cache does
# not evict the entries a resolution keeps using (S3-FIFO admission).
{
  echo "sip:alice@sipedge.test"
  for i in $(seq 1 400); do
    echo "sip:r$i-$RANDOM.sipedge.test:5060"
    if [ $((i % 20)) -eq 0 ]; then echo "sip:alice@sipedge.test"; fi
  done
  echo "sip:alice@sipedge.test"
} >"$tmp/flood.txt"
set +e
"$resolve_bin" "${dns[@]}" --json --cache-entries 64 - <"$tmp/flood.txt" >"$tmp/flood.out"
set -e
out=$(tail -n 1 "$tmp/flood.out")
check flood_keeps_hot_entry '(.targets | length > 0) and (.steps | length > 0) and ([.steps[] | .cached] | all(. == true))'
out=$(sed -n 3p "$tmp/flood.out")
check flood_names_asked '.targets == [] and ([.steps[] | .rcode] | index("NXDOMAIN") != null)'

# Serve-stale (RFC 8767): resolve while stale.test's server is up, stop it and put a
# silent listener on its port, wait past the 1 s TTL, resolve again in the same process:
# the stale answer comes from the client-response timer: the DNS timeout and the deadline are
# a minute, so without that timer nothing would be printed before the read gives up.
coproc STALE { "$resolve_bin" --dns "127.0.0.1:$stale_port" --json --timeout-ms 60000 --tries 1 \
  --deadline-ms 60000 --stale-after-ms 300 --cache-min-ttl-s 1 - 2>"$tmp/stale.err"; }
echo "sip:pbx.stale.test:5060" >&"${STALE[1]}"
read -r -t 10 out <&"${STALE[0]}" || out="{}"
check stale_first_answer_fresh '[.targets[].address] == ["192.0.2.80"] and ([.steps[] | .stale] | all(. != true))'
kill "$stale_nsd_pid"
wait "$stale_nsd_pid" 2>/dev/null || true
"$blackhole_bin" 127.0.0.1 "$stale_port" >"$tmp/blackhole2.out" 2>&1 &
pids+=($!)
for _ in $(seq 1 50); do grep -q ready "$tmp/blackhole2.out" && break; sleep 0.1; done
sleep 1.5  # past the TTL
echo "sip:pbx.stale.test:5060" >&"${STALE[1]}"
read -r -t 10 out <&"${STALE[0]}" || out="{}"
check serve_stale_after_server_died '[.targets[].address] == ["192.0.2.80"] and ([.steps[] | select(.stale == true)] | length > 0) and .min_ttl_s == 0'
exec {STALE[1]}>&-
wait "$STALE_PID" 2>/dev/null || true

# Usage errors: exit 2 with a message naming the fault.
run 2 "${dns[@]}" "sip:"
if grep -q "bad URI" "$tmp/stderr"; then echo "ok   bad_uri_message"; else
  echo "FAIL bad_uri_message" >&2
  failures=$((failures + 1))
fi
run 2 "${dns[@]}" --prefer ipv5 "sip:plain.sipedge.test"
if grep -q "prefer" "$tmp/stderr"; then echo "ok   bad_option_message"; else
  echo "FAIL bad_option_message" >&2
  failures=$((failures + 1))
fi
run 2 "${dns[@]}" "tel:+15551234"
run 2 --dns "not-an-address" "sip:plain.sipedge.test"

if [ "$failures" -ne 0 ]; then
  echo "$failures check(s) failed" >&2
  exit 1
fi
echo "all integration checks passed"
