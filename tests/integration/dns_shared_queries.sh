#!/usr/bin/env bash
# Integration: sipedge with 2 workers asked for one cold name by many clients at once sends
# each DNS query (name, type) once, not once per worker (issue 8: misses shared across
# workers). Between sipedge and the lab's NSD sits a small forwarder that holds every query
# 150 ms (so requests arriving on both workers meet while the answer is out) and logs it.
# Usage: dns_shared_queries.sh BUILD_DIR. Needs root.
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
# shellcheck source=tests/integration/lib/lab.sh
source "$here/lib/lab.sh"
lab_init dsq "${1:?usage: dns_shared_queries.sh BUILD_DIR}"
lab_up
lab_start_nsd
lab_start_responder

# The forwarder: UDP 127.0.0.1:5353 -> NSD on 127.0.0.1:53, each query delayed, one
# "QNAME QTYPE" line per query in $LAB_TMP/queries.log.
cat >"$LAB_TMP/slow_dns.py" <<'EOF'
import socket, struct, sys, threading, time

log = open(sys.argv[1], "a", buffering=1)
front = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
front.bind(("127.0.0.1", 5353))
lock = threading.Lock()

def question(q):
    i, labels = 12, []
    while q[i]:
        labels.append(q[i + 1:i + 1 + q[i]].decode("ascii", "replace").lower())
        i += 1 + q[i]
    return ".".join(labels), struct.unpack("!H", q[i + 1:i + 3])[0]

def forward(q, client):
    time.sleep(0.15)
    back = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
    back.settimeout(2)
    back.sendto(q, ("127.0.0.1", 53))
    try:
        front.sendto(back.recv(65535), client)
    except socket.timeout:
        pass
    back.close()

while True:
    q, client = front.recvfrom(65535)
    try:
        name, qtype = question(q)
    except (IndexError, struct.error):
        continue
    with lock:
        log.write(f"{name} {qtype}\n")
    threading.Thread(target=forward, args=(q, client), daemon=True).start()
EOF
: >"$LAB_TMP/queries.log"
lab_bg slow-dns "$NS_EDGE" "$LAB_PY" "$LAB_TMP/slow_dns.py" "$LAB_TMP/queries.log"
lab_wait_listen "$NS_EDGE" u 5353 "$LAB_LAST_PID" || lab_die "the DNS forwarder did not start"

args=()
for a in "${LAB_SIPEDGE_ARGS[@]}"; do
  [ "$a" = "$LAB_DNS" ] && a=127.0.0.1:5353
  args+=("$a")
done
lab_start_sipedge "${args[@]}"
check "sipedge runs 2 workers" grep -q "sipedge ready: 2 workers" "$LAB_TMP/sipedge.log"

# 16 clients (16 source ports: SO_REUSEPORT spreads them over both workers) ask at once for
# a name nobody has asked yet: NAPTR, SRV (_sip._udp) and A of echo.lab.test, all cold.
clients=16
probes=()
for i in $(seq "$clients"); do
  lab_probe --uri "sip:client$i@echo.lab.test" "$LAB_CLIENT" "$LAB_EDGE" "$LAB_SIP_PORT" \
    >"$LAB_TMP/probe-$i.out" 2>&1 &
  probes+=($!)
done
for pid in "${probes[@]}"; do wait "$pid" || true; done
answered=$(cat "$LAB_TMP"/probe-*.out | grep -c "^SIP/2.0 200" || true)
check "every client got 200 OK from the responder behind sipedge" eq "$answered" "$clients"

echo "# DNS queries sipedge sent (name type: count):" >&2
sort "$LAB_TMP/queries.log" | uniq -c | sed 's/^/#   /' >&2
asked=$(grep -c . "$LAB_TMP/queries.log" || true)
distinct=$(sort -u "$LAB_TMP/queries.log" | grep -c . || true)
check "some DNS query went out" ge "$distinct" 1
check "each (name, type) was asked once, not once per worker" eq "$asked" "$distinct"

sleep 0.3  # the workers add their counts to the metrics every 250 ms
lab_metrics "$LAB_TMP/metrics.txt"
waits=$(lab_metric "$LAB_TMP/metrics.txt" sipedge_dns_shared_waits_total)
check "both workers missed the name: the second waited for the first's queries" ge "$waits" 1

lab_stop_sipedge
check "sipedge exits 0 on SIGTERM" eq "$SIPEDGE_RC" 0
lab_finish
