#!/usr/bin/env bash
# Demo of the XDP classifier: two network namespaces of its own joined by a veth pair,
# sipedge attached natively on one end, real SIP, garbage and denied traffic from the other.
set -euo pipefail
build=$(cd "${1:-build}" && pwd)
root=$(cd "$(dirname "$0")/../.." && pwd)
CTL=$build/tools/sipedgectl/sipedgectl
PEERPY=$root/tests/xdp/peer.py
DUT=sdemoD$$ PEER=sdemoP$$ IF=sdemod$$ PIF=sdemop$$

step() { printf '\n\033[1m== %s\033[0m\n' "$*"; }
ctl() { nsenter --net=/run/netns/$DUT "$CTL" "$@"; }
cleanup() {
  set +e
  ctl detach --iface "$IF" >/dev/null 2>&1
  ip netns del "$DUT" 2>/dev/null
  ip netns del "$PEER" 2>/dev/null
}
trap cleanup EXIT

step "XDP classifier: namespaces $DUT and $PEER joined by veth $IF <-> $PIF"
ip netns add "$DUT"
ip netns add "$PEER"
ip link add "$IF" netns "$DUT" type veth peer name "$PIF" netns "$PEER"
ip netns exec "$DUT" ip link set "$IF" up
ip netns exec "$DUT" ip addr add 192.0.2.1/24 dev "$IF"
ip netns exec "$PEER" ip link set "$PIF" up
for a in 192.0.2.2 192.0.2.66; do ip netns exec "$PEER" ip addr add $a/24 dev "$PIF"; done

ctl attach --iface "$IF" --mode native
ctl policy add --iface "$IF" 192.0.2.66/32 deny
ctl policy list --iface "$IF"

step "traffic: 5 INVITEs from 192.0.2.2, 3 garbage datagrams to 5060, 4 INVITEs from the denied 192.0.2.66"
peer() { ip netns exec "$PEER" /usr/bin/python3 "$PEERPY" "$@"; }
peer udp 192.0.2.2 192.0.2.1 5060 5 invite
peer udp 192.0.2.2 192.0.2.1 5060 3 garbage
peer udp 192.0.2.66 192.0.2.1 5060 4 invite

step "sipedgectl stats --json"
ctl stats --iface "$IF" --json | jq .

step "the same counters through bpftool (field names from BTF)"
bpftool map dump pinned "/sys/fs/bpf/sipedge/$IF/stats" | head -n 30
