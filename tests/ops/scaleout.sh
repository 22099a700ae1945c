#!/usr/bin/env bash
# Scale-out lab (issue 12, docs/scale-out.md): two sipedge nodes, each in its own namespace,
# published by one SRV set (_sip._udp.edge.lab.test: node1 weight 60, node2 weight 40, same
# priority), and one real Prometheus scraping both.
#
#   clients 10.30.1.2 ── 10.30.1.1 [front sipedge] 10.30.2.1 ──┬── node1 10.30.2.11 (sipedge) ─┐
#   (SIPp UAC)           RFC 3263 → SRV set, NSD,  Prometheus  ├── node2 10.30.2.12 (sipedge) ─┼─ static route
#                                                              └── uas   10.30.2.2  (SIPp UAS) ◄┘
#
# SIPp does not resolve SRV, so the clients send to a front sipedge, their outbound proxy,
# which locates sip:call-N@edge.lab.test by RFC 3263 as any RFC 3263 client would. Asserts:
#  1. calls spread over both nodes by weight: node1's share of the INVITEs (from each node's
#     own metrics) within 0.45..0.75 of all (60 % expected; the bound is ±4 standard
#     deviations of the binomial at this call count), no call failed;
#  2. Prometheus (the Debian binary, started here) scrapes both nodes and answers
#     `sum by (instance) (sipedge_sip_requests_total)` with two instances;
#  3. node1 stopped with SIGTERM (it exits 0) while the SRV set still names it: every call of
#     the next run succeeds (SIPp with UDP retransmissions: an INVITE the front sends to node1
#     meets ICMP port unreachable, the front quarantines node1 and sends the client's
#     retransmission to node2), node2 takes every INVITE, the front counts the failover,
#     Prometheus sees node1 down (up == 0) and the SipedgeDown alert pending for it.
# Usage: scaleout.sh BUILD_DIR. Needs root, sipp, nsd, prometheus.
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
root=$(cd "$here/../.." && pwd)
# shellcheck source=tests/integration/lib/lab.sh
source "$root/tests/integration/lib/lab.sh"
command -v prometheus >/dev/null || { echo "prometheus is not installed (apt-get install prometheus)" >&2; exit 77; }
lab_init ops "${1:?usage: scaleout.sh BUILD_DIR}"
# Roles: lab.sh tears down NS_CLIENT, NS_EDGE (the front), NS_LAN, NS_SERVER; the two nodes
# are ours (same naming, so lab.sh's clean-up of dead runs covers them too).
NS_NODE1=${LAB_ID}m NS_NODE2=${LAB_ID}n
CLIENT=10.30.1.2 FRONT=10.30.1.1 FRONT_LAN=10.30.2.1 UAS=10.30.2.2 NODE1=10.30.2.11 NODE2=10.30.2.12
PROM=127.0.0.1:9090
trap 'rc=$?; set +e; for ns in "$NS_NODE1" "$NS_NODE2"; do kill_netns_pids "$ns"; ip netns del "$ns" 2>/dev/null; done; (exit $rc); lab_teardown' EXIT

# --- topology --------------------------------------------------------------------------------------
for ns in "$NS_CLIENT" "$NS_EDGE" "$NS_LAN" "$NS_SERVER" "$NS_NODE1" "$NS_NODE2"; do
  ip netns add "$ns"
  in_ns "$ns" ip link set lo up
done
lab_veth "$NS_CLIENT" "${LAB_ID}c" "$NS_EDGE" "${LAB_ID}ec"
in_client ip addr add "$CLIENT/24" dev "${LAB_ID}c"
in_edge ip addr add "$FRONT/24" dev "${LAB_ID}ec"
in_ns "$NS_LAN" ip link add br0 type bridge
in_ns "$NS_LAN" ip link set br0 up
lan_port() { # NS IF ADDR: a host on the carrier LAN
  lab_veth "$1" "$2" "$NS_LAN" "$2l"
  in_ns "$NS_LAN" ip link set "$2l" master br0
  in_ns "$1" ip addr add "$3/24" dev "$2"
  # Every closed port answers with ICMP port unreachable, not only the first few per second.
  in_ns "$1" sysctl -qw net.ipv4.icmp_ratelimit=0
}
lan_port "$NS_EDGE" "${LAB_ID}ef" "$FRONT_LAN"
lan_port "$NS_SERVER" "${LAB_ID}s" "$UAS"
lan_port "$NS_NODE1" "${LAB_ID}m" "$NODE1"
lan_port "$NS_NODE2" "${LAB_ID}n" "$NODE2"
# Responses go back by Via, and the front's Via names its client-side address: the LAN
# reaches it through the front (which does not forward IP: only SIP crosses it).
for ns in "$NS_SERVER" "$NS_NODE1" "$NS_NODE2"; do in_ns "$ns" ip route add 10.30.1.0/24 via "$FRONT_LAN"; done
in_edge sysctl -qw net.ipv4.ip_forward=0

# --- DNS, UAS, nodes, front ------------------------------------------------------------------------
lab_start_nsd "$here/lib/zones"
lab_bg uas "$NS_SERVER" sipp -sf "$root/tests/integration/scenarios/uas.xml" -i "$UAS" -p 5060 -t u1 -nostdin \
  -trace_err -error_file "$LAB_TMP/uas.err"
lab_wait_listen "$NS_SERVER" u 5060 "$LAB_LAST_PID" || lab_die "SIPp UAS did not start"

# start_sipedge NAME NS ARGS...: a sipedge in NS, its log in $LAB_TMP/NAME.log; waits for its
# SIP and metrics ports; its pid in $LAB_LAST_PID.
start_sipedge() {
  local name=$1 ns=$2
  shift 2
  nsenter --net="/run/netns/$ns" "$SIPEDGE" "$@" >"$LAB_TMP/$name.log" 2>&1 </dev/null &
  LAB_LAST_PID=$!
  lab_pids+=("$LAB_LAST_PID")
  lab_wait_listen "$ns" u 5060 "$LAB_LAST_PID" && lab_wait_listen "$ns" t 9464 "$LAB_LAST_PID" ||
    { cat "$LAB_TMP/$name.log" >&2; lab_die "sipedge $name did not start"; }
}
# Each node: the edge's own route to the core (the UAS), metrics on its LAN address.
# Record-Route keeps each dialog's ACK and BYE on the node that took its INVITE (the UAS,
# like most UAs, answers whoever sent it the request, so the node must stay in the path).
node_args() {
  echo --listen "udp:$1:5060" --dns 127.0.0.1:53 --route "edge.lab.test=sip:$UAS" --metrics "$1:9464" --workers 2 --record-route
}
# shellcheck disable=SC2046
start_sipedge node1 "$NS_NODE1" $(node_args "$NODE1")
node1_pid=$LAB_LAST_PID
# shellcheck disable=SC2046
start_sipedge node2 "$NS_NODE2" $(node_args "$NODE2")
start_sipedge front "$NS_EDGE" --listen "udp:$FRONT:5060" --listen "udp:$FRONT_LAN:5060" --dns 127.0.0.1:53 \
  --metrics 127.0.0.1:9464 --workers 2
check "the SRV set publishes both nodes" \
  eq "$(in_edge kdig @127.0.0.1 +short SRV _sip._udp.edge.lab.test | sort | tr '\n' ' ')" "10 40 5060 node2.lab.test. 10 60 5060 node1.lab.test. "

# --- Prometheus ------------------------------------------------------------------------------------
mkdir -p "$LAB_TMP/tsdb"
cat >"$LAB_TMP/prometheus.yml" <<EOP
global:
  scrape_interval: 1s
  evaluation_interval: 1s
rule_files:
  - $root/ops/prometheus/sipedge-alerts.yml
scrape_configs:
  - job_name: sipedge
    static_configs:
      - targets: ['$NODE1:9464', '$NODE2:9464']
EOP
lab_bg prometheus "$NS_EDGE" prometheus --config.file="$LAB_TMP/prometheus.yml" --storage.tsdb.path="$LAB_TMP/tsdb" \
  --web.listen-address="$PROM" --log.level=warn
for _ in $(seq 150); do in_edge curl -fsS "http://$PROM/-/ready" >/dev/null 2>&1 && break; sleep 0.1; done
in_edge curl -fsS "http://$PROM/-/ready" >/dev/null || lab_die "Prometheus did not become ready: $(tail -5 "$LAB_TMP/prometheus.out")"
# promql QUERY: the JSON answer of an instant query.
promql() { in_edge curl -fsS --get "http://$PROM/api/v1/query" --data-urlencode "query=$1"; }
# wait_promql QUERY JQ: until the answer satisfies JQ (30 s at most: scrapes are every second).
wait_promql() {
  for _ in $(seq 60); do
    promql "$1" | jq -e "$2" >/dev/null 2>&1 && return 0
    sleep 0.5
  done
  echo "#   Prometheus, $1: $(promql "$1" 2>&1 | head -c 600)" >&2
  return 1
}

# metric NS 'NAME{LABELS}': one series' value from a sipedge's metrics in NS.
metric() {
  local ns=$1 addr
  case $ns in "$NS_NODE1") addr=$NODE1 ;; "$NS_NODE2") addr=$NODE2 ;; *) addr=127.0.0.1 ;; esac
  in_ns "$ns" curl -fsS --max-time 5 "http://$addr:9464/metrics" -o "$LAB_TMP/m.txt" && lab_metric "$LAB_TMP/m.txt" "$2"
}
invites() { metric "$1" 'sipedge_sip_requests_total{direction="in",method="INVITE"}'; }
# uac NAME CALLS RATE: SIPp calls to sip:call-N@edge.lab.test through the front (UDP, with
# retransmissions), in the background; its pid in $uac_pid.
uac() {
  in_client sipp "$FRONT:5060" -sf "$root/tests/integration/scenarios/uac.xml" -key domain edge.lab.test \
    -s call -i "$CLIENT" -t u1 -m "$2" -r "$3" -l 50 -nostdin -timeout 120 -timeout_error -max_recv_loops 100 \
    -trace_err -error_file "$LAB_TMP/$1.err" -trace_stat -stf "$LAB_TMP/$1.csv" -fd 1 \
    >"$LAB_TMP/$1.out" 2>&1 </dev/null &
  uac_pid=$!
  lab_pids+=("$uac_pid")
}

# --- 1. spread by weight ---------------------------------------------------------------------------
calls=200
uac spread "$calls" 40
rc=0
wait "$uac_pid" || rc=$?
lab_calls_ok spread "$calls" "spread" "$rc"
n1=$(invites "$NS_NODE1") n2=$(invites "$NS_NODE2")
echo "# calls split: node1 $n1 INVITEs, node2 $n2 INVITEs (SRV weights 60:40)"
check "both nodes carried calls" ge "$(((n1 > 0) + (n2 > 0)))" 2
check "the nodes saw every call's INVITE" ge "$((n1 + n2))" "$calls"
share=$((100 * n1 / (n1 + n2)))
check "node1's share ($share %) is within 45..75 % (weight 60 %)" bash -c "[ $share -ge 45 ] && [ $share -le 75 ]"

# --- 2. one Prometheus over both nodes ------------------------------------------------------------
q='sum by (instance) (sipedge_sip_requests_total)'
check "Prometheus answers '$q' with both nodes" \
  wait_promql "$q" "[.data.result[] | select((.value[1] | tonumber) > 0) | .metric.instance] | sort == [\"$NODE1:9464\", \"$NODE2:9464\"]"
promql "$q" | jq -c '[.data.result[] | {instance: .metric.instance, requests: .value[1]}]' | sed 's/^/# /'
check "... and sees both up" wait_promql 'count(up{job="sipedge"} == 1)' '.data.result[0].value[1] == "2"'
q_inv='sum by (instance) (sipedge_sip_requests_total{direction="in",method="INVITE"})'
check "... with the same INVITE counts the nodes report" \
  wait_promql "$q_inv" "([.data.result[] | {(.metric.instance): .value[1]}] | add) == {\"$NODE1:9464\": \"$n1\", \"$NODE2:9464\": \"$n2\"}"

# --- 3. node1 stops; the SRV set still names it ----------------------------------------------------
# Stopped between runs: a dialog open on node1 at that moment would lose its BYE (its Route
# names node1; see docs/scale-out.md), so this run shows what happens to new calls.
kill -TERM "$node1_pid"
node1_rc=0
wait "$node1_pid" || node1_rc=$?
check "node1 exits 0 on SIGTERM" eq "$node1_rc" 0
n2_before=$(invites "$NS_NODE2") failovers_before=$(metric "$NS_EDGE" sipedge_failovers_total)
calls=100
uac failover "$calls" 20
rc=0
wait "$uac_pid" || rc=$?
lab_calls_ok failover "$calls" "node1 stopped" "$rc"
retrans=$(lab_uac_counter failover 'Retransmissions(C)')
n2_after=$(invites "$NS_NODE2")
echo "# node1 stopped: $retrans SIPp retransmissions; node2 INVITEs $n2_before -> $n2_after"
check "some INVITEs went to node1 first and were recovered by the client's retransmission" ge "$retrans" 1
check "node2 took every call after node1 stopped" ge "$((n2_after - n2_before))" "$calls"
check "the front quarantined node1 (sipedge_failovers_total went up)" ge "$(($(metric "$NS_EDGE" sipedge_failovers_total) - failovers_before))" 1
check "Prometheus sees node1 down and node2 up" \
  wait_promql 'up{job="sipedge"}' "([.data.result[] | {(.metric.instance): .value[1]}] | add) == {\"$NODE1:9464\": \"0\", \"$NODE2:9464\": \"1\"}"
check "... and the SipedgeDown alert is pending for node1" \
  wait_promql 'ALERTS{alertname="SipedgeDown"}' "[.data.result[].metric.instance] == [\"$NODE1:9464\"]"
lab_finish
