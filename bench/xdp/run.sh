#!/usr/bin/env bash
# XDP benchmarks, printed side by side with their baselines measured in the same run:
#  0. the verifier's cost of loading sipedge_xdp (instructions processed, load time);
#  1. per-packet cost of sipedge_xdp vs an empty XDP_PASS program (BPF_PROG_TEST_RUN): default
#     config (target <= 25 ns above empty), 1k policy prefixes + rate limits with a known
#     source (target <= 40 ns), and a new source every packet (LRU miss and insert);
#  2. a flood of malformed UDP to 5060 over a veth pair between two namespaces this script
#     creates: dropped by sipedge_xdp vs dropped by an nftables netdev-ingress rule, each
#     beside the generator's own rate in that arm.
# Usage: run.sh BUILD_DIR. Needs root. Bounded: SIPEDGE_FLOOD_PACKETS frames per arm.
set -euo pipefail

build=$(cd "${1:?usage: run.sh BUILD_DIR}" && pwd)
CTL=$build/tools/sipedgectl/sipedgectl
COST=$build/bench/xdp/sipedge_xdp_cost
FLOOD=$build/bench/xdp/sipedge_xdp_flood
PASS_OBJ=$build/bench/xdp/xdp_pass_baseline.bpf.o
COUNT=${SIPEDGE_FLOOD_PACKETS:-4000000}
DUT=sxdpFD$$ PEER=sxdpFP$$ IF=sxdpfd$$ PIF=sxdpfp$$

echo "-- verifier cost of sipedge_xdp --"
"$build/bench/xdp/sipedge_xdp_verifier" "$build/bpf/sipedge_xdp.bpf.o" 5

echo "-- per-packet cost --"
"$COST"

cleanup() {
  set +e
  nsenter --net=/run/netns/$DUT "$CTL" detach --iface "$IF" >/dev/null 2>&1
  rm -rf "/sys/fs/bpf/sipedge/$IF"
  ip netns del "$DUT" 2>/dev/null
  ip netns del "$PEER" 2>/dev/null
}
trap cleanup EXIT
trap "exit 130" INT TERM

ctl() { nsenter --net=/run/netns/$DUT "$CTL" "$@"; }
ip netns add "$DUT"
ip netns add "$PEER"
ip link add "$IF" netns "$DUT" type veth peer name "$PIF" netns "$PEER"
ip -n "$DUT" link set "$IF" up
ip -n "$PEER" link set "$PIF" up
ip -n "$DUT" addr add 192.0.2.1/24 dev "$IF"
ip -n "$PEER" addr add 192.0.2.2/24 dev "$PIF"
mac=$(ip -n "$DUT" -j link show "$IF" | jq -r '.[0].address')

# One arm: flood, then print "dropped sent seconds" (the counter read by $1, a function; the
# generator's own count and time).
flood() {
  local counter=$1 before after out
  before=$($counter)
  out=$(ip netns exec "$PEER" "$FLOOD" "$PIF" "$mac" 192.0.2.2 192.0.2.1 "$COUNT")
  sleep 0.2
  after=$($counter)
  echo "$((after - before)) $out"
}
xdp_drops() { ctl stats --iface "$IF" --json | jq '.drops.malformed'; }
nft_drops() {
  ip netns exec "$DUT" nft -j list table netdev sxdpbench |
    jq '[.. | objects | select(has("counter")) | .counter.packets] | add // 0'
}

echo "-- flood: $COUNT malformed UDP frames to 5060 over veth, XDP_TX live frames from the peer --"
ctl attach --iface "$IF" --mode native >/dev/null
read -r xdp_n xdp_sent xdp_s < <(flood xdp_drops)
ctl detach --iface "$IF" >/dev/null

# nftables arm: an empty XDP_PASS program keeps the veth able to receive XDP-transmitted
# frames (as sipedge did in the first arm); the drop happens at the earliest nft hook.
nsenter --net=/run/netns/$DUT xdp-loader load -m native "$IF" "$PASS_OBJ" >/dev/null 2>&1
ip netns exec "$DUT" nft -f - <<NFT
table netdev sxdpbench {
  chain ingress {
    type filter hook ingress device "$IF" priority -500; policy accept;
    udp dport 5060 counter drop
  }
}
NFT
read -r nft_n nft_sent nft_s < <(flood nft_drops)
nsenter --net=/run/netns/$DUT xdp-loader unload -a "$IF" >/dev/null 2>&1 || true

# Each dropper's rate beside the generator's own rate in the same arm: when they are equal the
# generator is the bound (the dropper kept up), and the ratio says nothing about the dropper.
awk -v xn="$xdp_n" -v xg="$xdp_sent" -v xs="$xdp_s" -v nn="$nft_n" -v ng="$nft_sent" -v ns="$nft_s" 'BEGIN {
  xr = xn / xs; xgr = xg / xs; nr = nn / ns; ngr = ng / ns;
  printf "sipedge XDP drop      : %10d of %10d dropped in %7.3f s = %12.0f packets/s (generator %12.0f packets/s)\n", xn, xg, xs, xr, xgr;
  printf "nftables netdev drop  : %10d of %10d dropped in %7.3f s = %12.0f packets/s (generator %12.0f packets/s)\n", nn, ng, ns, nr, ngr;
  printf "ratio XDP / nftables  : %.2fx\n", (nr > 0 ? xr / nr : 0);
  for (i = 0; i < 2; i++) {
    name = i ? "nftables" : "sipedge"; n = i ? nn : xn; g = i ? ng : xg;
    if (n >= 0.99 * g)
      printf "%s took every frame the generator sent: that arm ran at the generator'"'"'s pace, which the receive side slows when both share a CPU\n", name;
    else
      printf "%s missed %.1f %% of the frames: the dropper (or the veth ring in front of it) was the bound\n", name, 100 * (g - n) / g;
  }
}'
