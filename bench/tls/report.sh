#!/usr/bin/env bash
# Prints the TLS benchmark's table from measure.sh's results: one tls_loadgen JSON summary per
# line with "phase": idle | handshakes | resumed | messages-1 | messages-100.
#
# usage: report.sh RESULTS.jsonl IDLE_CONNECTIONS
set -euo pipefail
results=$1
idle=$2

# One TSV row per (server, phase): label phase rate per_cpu_s cpu% p50 p99 bytes/conn ok.
jq -r '[.label, .phase,
        (.handshakes_per_s // .ok_per_s // 0), (.handshakes_per_cpu_s // .ok_per_cpu_s // 0),
        (.cpu_util_pct // 0), (.p50_us // -1), (.p99_us // -1),
        (.pss_bytes_per_connection // -1), (.ok == true), (.resumed_pct // 0),
        (.negotiated // ""), (.answered // -1)] | @tsv' "$results" |
  awk -F'\t' -v idle="$idle" '
    function commas(n,   s) {
      if (n == "" || n < 0) return "-"
      s = sprintf("%d", n)
      while (s ~ /[0-9][0-9][0-9][0-9]/) sub(/[0-9][0-9][0-9]([,]|$)/, ",&", s)
      return s
    }
    function ratio(a, b) { return (a > 0 && b > 0) ? sprintf("%.2f", a / b) : "-" }
    function verdict(ok) { return ok ? "met" : "NOT met" }
    {
      key = $1 SUBSEP $2
      rate[key] = $3; per_cpu[key] = $4; cpu[key] = $5; p50[key] = $6; p99[key] = $7
      mem[key] = $8; good[key] = ($9 == "true"); resumed[key] = $10
      if ($11 != "") negotiated[$1] = $11
      if ($2 == "idle") answered[$1] = $12
      if (!($1 in seen)) { seen[$1] = 1; servers[++n] = $1 }
    }
    function row(title, phase, unit,   i, s, k, extra) {
      printf "%-34s", title
      for (i = 1; i <= n; ++i) {
        s = servers[i]; k = s SUBSEP phase
        if (!(k in rate)) { printf " | %-30s", "-"; continue }
        extra = (phase ~ /^messages/ && p50[k] >= 0) ? sprintf(" p50/99 %s/%s us", p50[k], p99[k]) : ""
        printf " | %8s/s %8s/CPU-s %3d%%%s", commas(rate[k]), commas(per_cpu[k]), cpu[k],
          good[k] ? "" : " (failed)"
        if (extra != "") lat[phase, s] = extra
      }
      printf "\n"
    }
    END {
      printf "%-34s", ""
      for (i = 1; i <= n; ++i) printf " | %-30s", servers[i] "  (rate, per server CPU-s, CPU%)"
      printf "\n"
      row("TLS handshakes, full", "handshakes")
      row("TLS handshakes, resumed (ticket)", "resumed")
      row("MESSAGE->200 OK, 1 conn x 64", "messages-1")
      row("MESSAGE->200 OK, 100 conns x 4", "messages-100")
      printf "%-34s", "memory per idle TLS connection"
      for (i = 1; i <= n; ++i) {
        k = servers[i] SUBSEP "idle"
        printf " | %-30s", (k in mem && mem[k] >= 0) ? sprintf("%.1f KiB (Pss, %d conns)%s", mem[k] / 1024, idle, good[k] ? "" : " (failed)") : "-"
      }
      printf "\n"
      for (i = 1; i <= n; ++i) {
        s = servers[i]
        printf "  %-10s round trip (request written -> 200 OK read): 1 conn%s; 100 conns%s\n", s,
          lat["messages-1", s], lat["messages-100", s]
        printf "  %-10s negotiated: %s; idle connections answered 200 OK: %s of %d\n", s,
          negotiated[s], answered[s], idle
      }
      a = "sipedge"; b = "kamailio"
      if (!((a SUBSEP "idle") in mem) || !((b SUBSEP "idle") in mem)) {
        print "  (ratios need both servers)"
        exit
      }
      printf "\n  ratios sipedge / kamailio            rate   per CPU-s\n"
      split("handshakes resumed messages-1 messages-100", phases, " ")
      for (j = 1; j <= 4; ++j) {
        p = phases[j]
        printf "  %-34s %6s %9s\n", p, ratio(rate[a, p], rate[b, p]), ratio(per_cpu[a, p], per_cpu[b, p])
      }
      mr = (mem[a, "idle"] > 0 && mem[b, "idle"] > 0) ? mem[a, "idle"] / mem[b, "idle"] : -1
      printf "  %-34s %6s\n", "memory per idle connection", (mr > 0 ? sprintf("%.2f", mr) : "-")
      printf "\n"
      for (j = 3; j <= 4; ++j) {
        p = phases[j]
        printf "  target messages/s over TLS >= 2x kamailio (%s): rate %s x: %s; per CPU-s %s x: %s\n", p,
          ratio(rate[a, p], rate[b, p]), verdict(rate[a, p] >= 2 * rate[b, p] && rate[b, p] > 0),
          ratio(per_cpu[a, p], per_cpu[b, p]),
          verdict(per_cpu[a, p] >= 2 * per_cpu[b, p] && per_cpu[b, p] > 0)
      }
      printf "  target memory per idle TLS connection <= 0.5x kamailio: %s x: %s\n",
        (mr > 0 ? sprintf("%.2f", mr) : "-"), verdict(mr > 0 && mr <= 0.5)
    }'
cat <<TXT

Each server alone on core 0 (one TLS worker: sipedge --workers 1, Kamailio tcp_children=1 with
children=1 for UDP, -x fm); tls_loadgen (TLS client + UDP responder answering 200 OK) on core 1.
Rate = completed per second of the window; per CPU-s = per CPU-second of the server (utime +
stime of it and its descendants over the window): when the client core saturates first (it
does the other half of every TLS handshake and message), compare per CPU-s. Handshakes: 16 in
flight, connect + handshake + close. MESSAGE: ~400-byte requests, the window of outstanding
requests per connection topped up in one TLS write; the server forwards each over UDP to
127.0.0.2:5070 and the 200 OK back over TLS. Memory: Pss of the server, $idle connections each
after one MESSAGE/200 OK, held idle, minus before (a fresh server, after 4 warm-up connections).
TXT
