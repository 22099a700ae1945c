# shellcheck shell=bash
# shellcheck disable=SC2034 # the LAB_*/NS_* variables are this library's interface to its users
# The sipedge lab: a few hosts in network namespaces with real peers, shared by the
# integration tests (tests/integration/*.sh) and `make demo` (tools/demo.sh).
#
#   client 10.10.1.2 .3 .130   ─┐
#          2001:db8:1::2        ├─ lan (a bridge) ── 10.10.1.1 [edge] 10.10.2.1 ── server 10.10.2.2 (SIPp UAS)
#   attacker 10.10.1.66        ─┘     XDP here ─┘    2001:db8:1::1     2001:db8:2::1     10.10.2.3 (responder)
#                                                    NSD on 127.0.0.1:53, sipedge        2001:db8:2::2
#
# The edge does not route IP between its sides: the client reaches the server only through
# sipedge. Every name (namespaces, links, the XDP pin folder) carries LAB_ID, a prefix plus
# this shell's pid, so parallel runs do not collide; leftovers of dead runs with the same
# prefix are removed first. Everything is torn down on EXIT, INT and TERM, failure included.
#
# usage: source lab.sh; lab_init PREFIX BUILD_DIR; lab_up; lab_start_nsd; lab_start_sipedge ...
lab_lib_dir=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
# shellcheck source=tests/integration/lib/processes.sh
source "$lab_lib_dir/processes.sh"
LAB_PY=/usr/bin/python3

# Addresses (the same in every lab: each lab has its own namespaces).
LAB_EDGE=10.10.1.1 LAB_CLIENT=10.10.1.2 LAB_TRUSTED=10.10.1.3 LAB_ATTACKER=10.10.1.66
LAB_TLS_ONLY_NET=10.10.1.128/28 LAB_TLS_ONLY_SRC=10.10.1.130
LAB_EDGE_INNER=10.10.2.1 LAB_UAS=10.10.2.2 LAB_ECHO=10.10.2.3
LAB_EDGE6=2001:db8:1::1 LAB_CLIENT6=2001:db8:1::2 LAB_EDGE_INNER6=2001:db8:2::1 LAB_UAS6=2001:db8:2::2
LAB_SIP_PORT=5060 LAB_METRICS=127.0.0.1:9464 LAB_DNS=127.0.0.1:53
# What every lab's sipedge gets: UDP and TCP on the client side (and UDP over IPv6), the lab's
# DNS server, metrics on the edge's loopback. Tests add policy, --iface, --record-route.
LAB_SIPEDGE_ARGS=(--listen "udp:$LAB_EDGE:$LAB_SIP_PORT" --listen "tcp:$LAB_EDGE:$LAB_SIP_PORT"
  --listen "udp:[$LAB_EDGE6]:$LAB_SIP_PORT" --dns "$LAB_DNS" --metrics "$LAB_METRICS"
  --workers 2 --log-level debug)

lab_passes=0 lab_fails=0
lab_pids=()

# --- results ----------------------------------------------------------------------------------
lab_ok() { echo "ok - $1"; lab_passes=$((lab_passes + 1)); }
lab_bad() {
  echo "FAIL - $1" >&2
  lab_fails=$((lab_fails + 1))
}
# check DESCRIPTION COMMAND...: one assertion; the command's exit status decides.
check() {
  local d=$1
  shift
  if "$@"; then lab_ok "$d"; else lab_bad "$d"; fi
}
eq() { [ "$1" = "$2" ] || { echo "#   expected '$2', got '$1'" >&2; return 1; }; }
ge() { [ "$1" -ge "$2" ] || { echo "#   expected at least $2, got $1" >&2; return 1; }; }
# jsonl_true FILE JQ_EXPR: the expression holds for FILE's JSON lines read as one array.
jsonl_true() { jq -se "$2" "$1" >/dev/null; }
# lab_die MESSAGE: a setup step failed; the test cannot go on.
lab_die() {
  echo "FAIL - $*" >&2
  lab_fails=$((lab_fails + 1))
  exit 1
}
# lab_finish: the summary line and the exit status of the test.
lab_finish() {
  echo "$lab_passes passed, $lab_fails failed"
  [ "$lab_fails" = 0 ]
}

# --- names and teardown -----------------------------------------------------------------------
# lab_init PREFIX BUILD_DIR: names for this run, a temp dir, teardown traps, stale labs gone.
lab_init() {
  LAB_PREFIX=$1
  LAB_BUILD=$(cd "$2" && pwd)
  LAB_ID=$LAB_PREFIX$$
  # Namespaces, and the links as seen from inside them (names stay under 15 characters).
  NS_CLIENT=${LAB_ID}c NS_ATTACKER=${LAB_ID}a NS_LAN=${LAB_ID}l NS_EDGE=${LAB_ID}e NS_SERVER=${LAB_ID}s
  LAB_IF=${LAB_ID}ec # the edge's client-facing link: XDP goes here
  LAB_PINS=/sys/fs/bpf/sipedge/$LAB_IF
  SIPEDGE=$LAB_BUILD/tools/sipedge/sipedge
  SIPEDGECTL=$LAB_BUILD/tools/sipedgectl/sipedgectl
  [ "$(id -u)" = 0 ] || { echo "lab: needs root (network namespaces, XDP)" >&2; exit 77; }
  for tool in ip nsenter sipp nsd kdig curl jq bpftool; do
    command -v "$tool" >/dev/null || lab_die "lab: $tool is not installed (bash tools/install-deps.sh)"
  done
  LAB_TMP=$(mktemp -d "/tmp/$LAB_ID.XXXXXX")
  trap lab_teardown EXIT
  trap 'exit 130' INT
  trap 'exit 143' TERM
  lab_preclean "$LAB_PREFIX"
}

# lab_preclean PREFIX: removes namespaces and XDP pins of earlier runs with this prefix whose
# shell is gone (a run killed with SIGKILL cannot clean up after itself).
lab_preclean() {
  local prefix=$1 ns pid pin
  for ns in $(ip netns list | awk '{print $1}'); do
    [[ $ns =~ ^${prefix}([0-9]+)[a-z]$ ]] || continue
    pid=${BASH_REMATCH[1]}
    kill -0 "$pid" 2>/dev/null && continue
    echo "# removing the leftover namespace $ns of a dead run"
    kill_netns_pids "$ns"
    ip netns del "$ns" 2>/dev/null || true
  done
  for pin in /sys/fs/bpf/sipedge/"$prefix"*; do
    [ -e "$pin" ] || continue
    [[ $(basename "$pin") =~ ^${prefix}([0-9]+) ]] || continue
    kill -0 "${BASH_REMATCH[1]}" 2>/dev/null && continue
    rm -rf "$pin"
  done
}

lab_teardown() {
  local rc=$?
  set +e
  trap - INT TERM
  if [ "$rc" = 130 ] || [ "$rc" = 143 ]; then
    echo "# interrupted: tearing the lab down" >&2
  elif [ "$rc" != 0 ] && [ -s "$LAB_TMP/sipedge.log" ]; then
    echo "# sipedge's log (last 40 lines of $LAB_TMP/sipedge.log):" >&2
    tail -n 40 "$LAB_TMP/sipedge.log" | sed 's/^/#   /' >&2
  fi
  for p in "${lab_pids[@]}"; do kill "$p" 2>/dev/null; done
  for ns in "$NS_CLIENT" "$NS_ATTACKER" "$NS_SERVER" "$NS_EDGE" "$NS_LAN"; do
    kill_netns_pids "$ns"
  done
  # A daemon that attached XDP and was killed leaves its pins; the link dies with the netns.
  [ -x "$SIPEDGECTL" ] && [ -e "$LAB_PINS" ] &&
    nsenter --net="/run/netns/$NS_EDGE" "$SIPEDGECTL" detach --iface "$LAB_IF" >/dev/null 2>&1
  rm -rf "$LAB_PINS"
  for ns in "$NS_CLIENT" "$NS_ATTACKER" "$NS_SERVER" "$NS_EDGE" "$NS_LAN"; do
    ip netns del "$ns" 2>/dev/null
  done
  if [ -n "${LAB_KEEP_TMP:-}" ] || [ "$rc" != 0 ]; then
    echo "# logs kept in $LAB_TMP" >&2
  else
    rm -rf "$LAB_TMP"
  fi
  exit "$rc"
}

# --- running things inside the lab ------------------------------------------------------------
# Only the network namespace is entered: bpffs and the build tree stay visible (ip netns exec
# would remount /sys and hide /sys/fs/bpf).
in_ns() {
  local ns=$1
  shift
  nsenter --net="/run/netns/$ns" "$@"
}
in_client() { in_ns "$NS_CLIENT" "$@"; }
in_attacker() { in_ns "$NS_ATTACKER" "$@"; }
in_edge() { in_ns "$NS_EDGE" "$@"; }
in_server() { in_ns "$NS_SERVER" "$@"; }

# lab_bg NAME NS CMD...: starts CMD in NS in the background, output in $LAB_TMP/NAME.out;
# its pid in $LAB_LAST_PID.
lab_bg() {
  local name=$1 ns=$2
  shift 2
  nsenter --net="/run/netns/$ns" "$@" >"$LAB_TMP/$name.out" 2>&1 </dev/null &
  LAB_LAST_PID=$!
  lab_pids+=("$LAB_LAST_PID")
}

# lab_wait_listen NS u|t PORT [PID]: until a socket listens on PORT in NS (10 s at most).
lab_wait_listen() {
  local ns=$1 proto=$2 port=$3 pid=${4:-}
  for _ in $(seq 100); do
    [ -n "$(in_ns "$ns" ss -Hln"$proto" "sport = :$port")" ] && return 0
    if [ -n "$pid" ] && ! kill -0 "$pid" 2>/dev/null; then return 1; fi
    sleep 0.1
  done
  return 1
}

# --- topology ---------------------------------------------------------------------------------
# lab_veth NS_A IF_A NS_B IF_B: a veth pair between two namespaces, both ends up.
lab_veth() {
  ip link add "$2" netns "$1" type veth peer name "$4" netns "$3"
  in_ns "$1" ip link set "$2" up
  in_ns "$3" ip link set "$4" up
}

lab_up() {
  local ns
  for ns in "$NS_CLIENT" "$NS_ATTACKER" "$NS_LAN" "$NS_EDGE" "$NS_SERVER"; do
    ip netns add "$ns"
    in_ns "$ns" ip link set lo up
  done
  # The client side is a LAN: a bridge joining the client, the attacker and the edge, so
  # everything the edge receives from that side crosses one link, $LAB_IF, where XDP sits.
  in_ns "$NS_LAN" ip link add br0 type bridge
  in_ns "$NS_LAN" ip link set br0 up
  lab_veth "$NS_CLIENT" "${LAB_ID}c" "$NS_LAN" "${LAB_ID}lc"
  lab_veth "$NS_ATTACKER" "${LAB_ID}a" "$NS_LAN" "${LAB_ID}la"
  lab_veth "$NS_EDGE" "$LAB_IF" "$NS_LAN" "${LAB_ID}le"
  for port in lc la le; do in_ns "$NS_LAN" ip link set "${LAB_ID}$port" master br0; done
  lab_veth "$NS_EDGE" "${LAB_ID}es" "$NS_SERVER" "${LAB_ID}s"

  for a in $LAB_CLIENT $LAB_TRUSTED $LAB_TLS_ONLY_SRC; do in_client ip addr add "$a/24" dev "${LAB_ID}c"; done
  in_client ip addr add "$LAB_CLIENT6/64" dev "${LAB_ID}c" nodad
  in_client ip route add default via "$LAB_EDGE"
  in_client ip -6 route add default via "$LAB_EDGE6"
  in_attacker ip addr add "$LAB_ATTACKER/24" dev "${LAB_ID}a"
  in_attacker ip route add default via "$LAB_EDGE"
  in_edge ip addr add "$LAB_EDGE/24" dev "$LAB_IF"
  in_edge ip addr add "$LAB_EDGE6/64" dev "$LAB_IF" nodad
  in_edge ip addr add "$LAB_EDGE_INNER/24" dev "${LAB_ID}es"
  in_edge ip addr add "$LAB_EDGE_INNER6/64" dev "${LAB_ID}es" nodad
  in_edge sysctl -qw net.ipv4.ip_forward=0 net.ipv6.conf.all.forwarding=0
  for a in $LAB_UAS $LAB_ECHO; do in_server ip addr add "$a/24" dev "${LAB_ID}s"; done
  in_server ip addr add "$LAB_UAS6/64" dev "${LAB_ID}s" nodad
  in_server ip route add default via "$LAB_EDGE_INNER"
  in_server ip -6 route add default via "$LAB_EDGE_INNER6"
  # Every closed port answers with ICMP port unreachable (the failover case counts on it),
  # not only the first few per second.
  in_server sysctl -qw net.ipv4.icmp_ratelimit=0 net.ipv6.icmp.ratelimit=0
}

# lab_wait_ipv6: until no IPv6 address in the lab is tentative (10 s at most). The global
# addresses skip DAD (nodad), but each link's link-local address does not, and until it is
# ready neighbour discovery cannot start: the first IPv6 packets would wait a second or two.
lab_wait_ipv6() {
  local ns busy
  for _ in $(seq 100); do
    busy=0
    for ns in "$NS_CLIENT" "$NS_EDGE" "$NS_SERVER"; do
      [ -n "$(in_ns "$ns" ip -6 addr show tentative)" ] && busy=1
    done
    [ "$busy" = 0 ] && return 0
    sleep 0.1
  done
  return 1
}

# --- DNS --------------------------------------------------------------------------------------
# lab_start_nsd [ZONE_DIR]: NSD, authoritative for every *.zone in ZONE_DIR (default
# tests/integration/zones), on 127.0.0.1:53 inside the edge namespace.
lab_start_nsd() {
  local zones=${1:-$lab_lib_dir/../zones} d=$LAB_TMP/nsd z name
  mkdir -p "$d"
  cat >"$d/nsd.conf" <<EOF
server:
  ip-address: 127.0.0.1
  port: 53
  do-ip6: no
  username: ""
  chroot: ""
  zonesdir: "$d"
  database: ""
  xfrdir: "$d"
  pidfile: "$d/nsd.pid"
  xfrdfile: "$d/xfrd.state"
  zonelistfile: "$d/zone.list"
  logfile: "$d/nsd.log"
  server-count: 1
  verbosity: 1
  rrl-ratelimit: 0
  rrl-whitelist-ratelimit: 0
remote-control:
  control-enable: no
EOF
  for z in "$zones"/*.zone; do
    name=$(basename "$z" .zone)
    cp "$z" "$d/"
    printf 'zone:\n  name: "%s"\n  zonefile: "%s.zone"\n' "$name" "$name" >>"$d/nsd.conf"
  done
  lab_bg nsd "$NS_EDGE" nsd -d -c "$d/nsd.conf"
  for _ in $(seq 100); do
    in_edge kdig @127.0.0.1 -p 53 +short +timeout=1 +retry=0 SOA "$name" 2>/dev/null | grep -q . && return 0
    sleep 0.1
  done
  cat "$LAB_TMP/nsd.out" "$d/nsd.log" >&2 2>/dev/null
  lab_die "lab: NSD did not answer for $name"
}

# --- sipedge ----------------------------------------------------------------------------------
# lab_start_sipedge ARGS...: the daemon in the edge namespace, stderr added to
# $LAB_TMP/sipedge.log;
# returns once every --listen and the --metrics address listen (and the XDP stats are pinned
# when --iface is given). $SIPEDGE_PID is its pid.
lab_start_sipedge() {
  [ -x "$SIPEDGE" ] || lab_die "lab: $SIPEDGE not built (cmake --build BUILD --target sipedge)"
  local args=("$@") i a proto port iface=""
  echo "=== sipedge ${args[*]}" >>"$LAB_TMP/sipedge.log"
  nsenter --net="/run/netns/$NS_EDGE" "$SIPEDGE" "${args[@]}" >>"$LAB_TMP/sipedge.log" 2>&1 </dev/null &
  SIPEDGE_PID=$!
  lab_pids+=("$SIPEDGE_PID")
  for ((i = 0; i < ${#args[@]}; i++)); do
    a=${args[i]}
    case $a in
    --listen)
      proto=${args[i + 1]%%:*}
      port=${args[i + 1]##*:}
      lab_wait_listen "$NS_EDGE" "${proto:0:1}" "$port" "$SIPEDGE_PID" ||
        lab_die "sipedge ${args[*]}: nothing listens on ${args[i + 1]}"
      ;;
    --metrics)
      lab_wait_listen "$NS_EDGE" t "${args[i + 1]##*:}" "$SIPEDGE_PID" ||
        lab_die "sipedge ${args[*]}: no metrics endpoint on ${args[i + 1]}"
      ;;
    --iface) iface=${args[i + 1]} ;;
    esac
  done
  if [ -n "$iface" ]; then
    for _ in $(seq 100); do
      [ -e "/sys/fs/bpf/sipedge/$iface/stats" ] && break
      sleep 0.1
    done
    [ -e "/sys/fs/bpf/sipedge/$iface/stats" ] || lab_die "sipedge --iface $iface: no pinned stats map"
  fi
  kill -0 "$SIPEDGE_PID" 2>/dev/null || lab_die "sipedge exited at start"
}

# lab_stop_sipedge: SIGTERM, then waits (10 s at most); the exit status is left in
# $SIPEDGE_RC (the daemon must exit 0).
lab_stop_sipedge() {
  SIPEDGE_RC=0
  kill -TERM "$SIPEDGE_PID" 2>/dev/null
  for _ in $(seq 100); do
    kill -0 "$SIPEDGE_PID" 2>/dev/null || break
    sleep 0.1
  done
  if kill -0 "$SIPEDGE_PID" 2>/dev/null; then
    echo "# sipedge did not exit within 10 s of SIGTERM" >&2
    kill -9 "$SIPEDGE_PID"
  fi
  wait "$SIPEDGE_PID" || SIPEDGE_RC=$?
}

# lab_log_count REGEX: lines of sipedge's log (all runs of this test) matching REGEX (ERE).
lab_log_count() {
  grep -cE -- "$1" "$LAB_TMP/sipedge.log" || true
}

# lab_reload_sipedge: SIGHUP, then waits (10 s at most) for the daemon to log the outcome
# (and, after "reloaded", for each worker to log that it took the new configuration). Returns
# 0 when it logged "reloaded", 1 when it refused the new configuration (or logged nothing).
lab_reload_sipedge() {
  local done_re='reloaded: |reload refused' picked_re='configuration reloaded \(generation' before picked workers
  before=$(lab_log_count "$done_re")
  picked=$(lab_log_count "$picked_re")
  workers=$(sed -nE 's/.*sipedge ready: ([0-9]+) worker.*/\1/p' "$LAB_TMP/sipedge.log" | tail -n 1)
  kill -HUP "$SIPEDGE_PID"
  for _ in $(seq 100); do
    if [ "$(lab_log_count "$done_re")" -gt "$before" ]; then
      grep -E -- "$done_re" "$LAB_TMP/sipedge.log" | tail -n 1 | grep -q 'reloaded: ' || return 1
      # The workers take the new snapshot on their next loop turn and say so.
      for _ in $(seq 50); do
        [ "$(lab_log_count "$picked_re")" -ge "$((picked + ${workers:-1}))" ] && break
        sleep 0.1
      done
      return 0
    fi
    sleep 0.1
  done
  echo "# sipedge logged no reload outcome within 10 s of SIGHUP" >&2
  return 1
}

# lab_tcp_peer NS KIND SRC [OPTIONS...]: tcp_peer.py (a misbehaving TCP peer, see its usage)
# from SRC in NS to sipedge on $LAB_EDGE:5060; prints its JSON result.
lab_tcp_peer() {
  local ns=$1 kind=$2 src=$3
  shift 3
  in_ns "$ns" "$LAB_PY" "$lab_lib_dir/tcp_peer.py" "$kind" "$src" "$LAB_EDGE" "$LAB_SIP_PORT" "$@"
}

# lab_wait_tcp_released ADDR: until sipedge holds no TCP connection from ADDR (none
# established, none the peer has closed and the daemon has not), 10 s at most.
lab_wait_tcp_released() {
  for _ in $(seq 100); do
    [ -z "$(in_edge ss -Htn state established state close-wait "dst $1")" ] && return 0
    sleep 0.1
  done
  return 1
}

# lab_metrics FILE: one scrape of the metrics endpoint into FILE.
lab_metrics() {
  in_edge curl -fsS --max-time 5 "http://$LAB_METRICS/metrics" -o "$1"
}

# lab_metric FILE 'NAME{LABELS}': the value of one series in a scrape (0 when absent). The
# series is matched by name and by each label given, in any order.
lab_metric() {
  awk -v want="$2" '
    function labels_of(s,   i) { i = index(s, "{"); return i ? substr(s, i + 1, length(s) - i - 1) : "" }
    BEGIN { wname = want; sub(/\{.*/, "", wname); n = split(labels_of(want), wl, ",") }
    /^#/ { next }
    {
      series = $1; name = series; sub(/\{.*/, "", name)
      if (name != wname) next
      have = "," labels_of(series) ","
      for (i = 1; i <= n; i++) if (index(have, "," wl[i] ",") == 0) next
      sum += $2; found = 1
    }
    END { printf "%d\n", found ? sum : 0 }' "$1"
}

# --- peers ------------------------------------------------------------------------------------
# lab_start_uas NAME u1|t1 [SIPP_ARGS...]: SIPp UAS (scenarios/uas.xml) on $LAB_UAS:5060 in the server
# namespace, every message it sees logged to $LAB_TMP/NAME.msg.
lab_start_uas() {
  local name=$1 transport=$2
  shift 2
  lab_start_uas_at "$name" "$transport" "$LAB_UAS" "$@"
}

# lab_start_uas_at NAME u1|t1 ADDR [SIPP_ARGS...]: the same UAS on ADDR:5060 (e.g. $LAB_UAS6).
lab_start_uas_at() {
  local name=$1 transport=$2 addr=$3 port=$LAB_SIP_PORT
  shift 3
  lab_bg "$name" "$NS_SERVER" sipp -sf "$lab_lib_dir/../scenarios/uas.xml" -i "$addr" -p "$port" -t "$transport" -nostdin \
    -trace_msg -message_file "$LAB_TMP/$name.msg" -trace_err -error_file "$LAB_TMP/$name.err" "$@"
  lab_wait_listen "$NS_SERVER" "${transport:0:1}" "$port" "$LAB_LAST_PID" ||
    lab_die "SIPp UAS $name did not start: $(cat "$LAB_TMP/$name.out")"
}

# lab_start_responder [ADDR] [PORT]: the plain 200-OK responder (UDP and TCP) in the server
# namespace; what it receives goes to $LAB_TMP/responder-ADDR.jsonl.
lab_start_responder() {
  local addr=${1:-$LAB_ECHO} port=${2:-$LAB_SIP_PORT}
  lab_bg "responder-$addr" "$NS_SERVER" "$LAB_PY" "$lab_lib_dir/sip_responder.py" "$addr" "$port" \
    "$LAB_TMP/responder-$addr.jsonl"
  lab_wait_listen "$NS_SERVER" u "$port" "$LAB_LAST_PID" || lab_die "responder on $addr:$port did not start"
}

# lab_uac NAME u1|t1 DOMAIN CALLS [SIPP_ARGS...]: SIPp calls (INVITE/ACK/BYE,
# scenarios/uac.xml) from $LAB_CLIENT through sipedge to sip:call-N@DOMAIN; waits for the
# end. Returns SIPp's exit status; its messages in $LAB_TMP/NAME.msg, its statistics in
# $LAB_TMP/NAME.csv.
lab_uac() {
  local name=$1 transport=$2 domain=$3 calls=$4
  shift 4
  lab_uac_between "$name" "$transport" "$LAB_CLIENT" "$LAB_EDGE" "$domain" "$calls" "$@"
}

# lab_uac_between NAME u1|t1 SRC EDGE_ADDR DOMAIN CALLS [SIPP_ARGS...]: lab_uac from the
# client's address SRC to sipedge on EDGE_ADDR:5060 (IPv6 addresses bare, e.g. $LAB_CLIENT6
# and $LAB_EDGE6).
lab_uac_between() {
  local name=$1 transport=$2 src=$3 edge=$4 domain=$5 calls=$6
  shift 6
  [[ $edge == *:* ]] && edge="[$edge]"
  in_client sipp "$edge:$LAB_SIP_PORT" -sf "$lab_lib_dir/../scenarios/uac.xml" -key domain "$domain" \
    -s call -i "$src" -t "$transport" -m "$calls" -r 10 -l 20 -nostdin "$@" \
    -timeout 60 -timeout_error -max_recv_loops 100 \
    -trace_msg -message_file "$LAB_TMP/$name.msg" -trace_err -error_file "$LAB_TMP/$name.err" \
    -trace_stat -stf "$LAB_TMP/$name.csv" -fd 1 \
    >"$LAB_TMP/$name.out" 2>&1 </dev/null
}

# lab_uac_counter NAME COLUMN: a cumulative counter from the UAC's last statistics line, e.g.
# SuccessfulCall(C), FailedCall(C).
lab_uac_counter() {
  awk -F';' -v col="$2" '
    NR == 1 { for (i = 1; i <= NF; i++) if ($i == col) c = i; next }
    { last = $c }
    END { print (c && last != "") ? last + 0 : -1 }' "$LAB_TMP/$1.csv"
}

# lab_request_lines FILE METHOD: the distinct request lines of METHOD in a SIPp message log
# (sent or received), sorted.
lab_request_lines() {
  grep -a "^$2 " "$1" | tr -d '\r' | sort -u
}

# lab_probe ARGS...: sip_probe.py from the client namespace (see its usage).
lab_probe() {
  in_client "$LAB_PY" "$lab_lib_dir/sip_probe.py" "$@"
}

# lab_calls_ok NAME CALLS DESCRIPTION RC: the UAC NAME (exit status RC) exited 0 with CALLS successful calls and
# none failed (three checks).
lab_calls_ok() {
  local name=$1 calls=$2 d=$3 rc=$4
  check "$d: SIPp UAC exit status 0" eq "$rc" 0
  check "$d: $calls successful calls" eq "$(lab_uac_counter "$name" 'SuccessfulCall(C)')" "$calls"
  check "$d: 0 failed calls" eq "$(lab_uac_counter "$name" 'FailedCall(C)')" 0
  if [ "$rc" != 0 ]; then
    echo "# SIPp UAC $name: $(tail -n 5 "$LAB_TMP/$name.err" 2>/dev/null | tr '\n' ' ')" >&2
  fi
}

# lab_icmp_unreachables NS: ICMP destination unreachable messages NS has sent (IPv4).
lab_icmp_unreachables() {
  in_ns "$1" awk '/^Icmp:/ { if (!h) { for (i = 1; i <= NF; i++) col[$i] = i; h = 1 } else print $col["OutDestUnreachs"] }' /proc/net/snmp
}

# lab_xdp_drop REASON / lab_xdp_class CLASS: the pinned XDP counters through sipedgectl.
lab_xdp_drop() { in_edge "$SIPEDGECTL" stats --iface "$LAB_IF" --json | jq ".drops.$1"; }
lab_xdp_class() { in_edge "$SIPEDGECTL" stats --iface "$LAB_IF" --json | jq ".classes.$1.packets"; }
# lab_bpftool_sum FIELD: a counter summed over CPUs as bpftool prints the pinned stats map.
lab_bpftool_sum() {
  bpftool -j map dump pinned "$LAB_PINS/stats" | jq "[.[0].formatted.values[].value.$1] | add"
}

# lab_responder_count ADDR: requests the responder on ADDR has received so far.
lab_responder_count() {
  local f=$LAB_TMP/responder-$1.jsonl
  if [ -e "$f" ]; then wc -l <"$f"; else echo 0; fi
}
