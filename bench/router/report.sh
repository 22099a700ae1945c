#!/usr/bin/env bash
# Prints the router benchmark's table from measure.sh's results: one sip_loadgen JSON summary
# per line, with "phase": "load" (full load), "equal" (the same fixed rate for every
# forwarder) or "latency" (a moderate fixed rate, one request per send).
#
# usage: report.sh RESULTS.jsonl EQUAL_RATE LATENCY_RATE
set -euo pipefail
results=$1
equal_rate=$2
latency_rate=$3

# table TRANSPORT [TARGET]: TARGET is the sipedge/null per-CPU-second ratio to check.
table() {
  local transport=$1 target=${2:-}
  # One TSV row per forwarder, in run order: full-load figures, the equal-load CPU figures,
  # the latency percentiles, and whether every run of the forwarder completed.
  jq -r -s --arg t "$transport" '
    [.[] | select(.transport == $t)] as $rows
    | [$rows[] | select(.phase == "load")][] as $load
    | ([$rows[] | select(.phase == "equal" and .label == $load.label)][0] // {}) as $eq
    | ([$rows[] | select(.phase == "latency" and .label == $load.label)][0] // {}) as $lat
    | [$load.label, $load.forwarded_per_s, $load.sent_per_s, $load.cpu_util_pct,
       $load.forwarded_per_cpu_s, ($eq.cpu_util_pct // -1), ($eq.forwarded_per_cpu_s // -1),
       ($lat.p50_us // -1), ($lat.p99_us // -1),
       (if $load.forwarded > 0 then ($load.proxied * 100 / $load.forwarded | floor) else 0 end),
       (if $load.sink_tcp > $load.sink_udp then "tcp" else "udp" end), $load.responses,
       ($load.ok and ($eq.ok // false) and ($lat.ok // false)),
       ($eq.forwarded_per_s // 0)] | @tsv' "$results" |
    awk -F'\t' -v equal_rate="$equal_rate" -v latency_rate="$latency_rate" -v target="$target" '
      function commas(n,   s) {
        if (n < 0) return "-"
        s = sprintf("%d", n)
        while (s ~ /[0-9][0-9][0-9][0-9]/) sub(/[0-9][0-9][0-9]([,]|$)/, ",&", s)
        return s
      }
      function ratio(a, b) { return (a > 0 && b > 0) ? sprintf("%.2f", a / b) : "-" }
      function added(name) {
        if (p50[name] < 0 || p50["null"] < 0) return "-"
        return sprintf("%+d/%+d", p50[name] - p50["null"], p99[name] - p99["null"])
      }
      function verdict(name, key) {
        if (target == "" || !(per_cpu[name] > 0 && per_cpu["null"] > 0)) return "-"
        return (per_cpu[name] / per_cpu["null"] >= target) ? "met" : "NOT met"
      }
      BEGIN {
        printf "%-11s|%-38s|%-21s|%-15s|\n", "", "              full load", " at " commas(equal_rate) "/s",
          " at " commas(latency_rate) "/s"
        printf "%-11s|%10s %10s %4s %10s |%4s %10s %5s|%6s %7s |%7s %4s %5s\n", "forwarder",
          "fwd/s", "sent/s", "CPU%", "fwd/CPU-s", "CPU%", "fwd/CPU-s", "", "p50us", "p99us",
          "proxied", "hop", "resp"
      }
      {
        name = $1
        short = ($14 > 0 && $14 < 0.98 * equal_rate) ? "short" : ""
        printf "%-11s|%10s %10s %3d%% %10s |%3s%% %10s %5s|%6s %7s |%6d%% %4s %5d%s\n", name,
          commas($2), commas($3), $4, commas($5), ($6 < 0 ? "-" : $6), commas($7), short,
          ($8 < 0 ? "-" : $8), ($9 < 0 ? "-" : $9), $10, $11, $12,
          ($13 == "true" ? "" : "  (a run failed)")
        rate[name] = $2; per_cpu[name] = $5; eq_cpu[name] = $7; p50[name] = $8; p99[name] = $9
        order[++n] = name
      }
      END {
        printf "  ratios               full-load fwd/s  fwd/CPU-s   equal-load fwd/CPU-s   added latency p50/p99 us\n"
        for (i = 1; i <= n; ++i) {
          name = order[i]
          if (name == "null") continue
          printf "  %-22s %14s %10s %22s   %s\n", name " / null", ratio(rate[name], rate["null"]),
            ratio(per_cpu[name], per_cpu["null"]), ratio(eq_cpu[name], eq_cpu["null"]), added(name)
          if (name == "sipedge-1w" && ("baseline-1w" in rate))
            printf "  %-22s %14s %10s %22s   (target: within 5 %% per CPU-second)\n", name " / baseline-1w",
              ratio(rate[name], rate["baseline-1w"]), ratio(per_cpu[name], per_cpu["baseline-1w"]),
              ratio(eq_cpu[name], eq_cpu["baseline-1w"])
          if (name ~ /^sipedge/ && ("kamailio" in rate))
            printf "  %-22s %14s %10s %22s\n", name " / kamailio", ratio(rate[name], rate["kamailio"]),
              ratio(per_cpu[name], per_cpu["kamailio"]), ratio(eq_cpu[name], eq_cpu["kamailio"])
        }
        for (i = 1; i <= n; ++i) {
          name = order[i]
          if (name !~ /^sipedge/ || target == "") continue
          printf "  target %s >= %.1f x null per CPU-second: full load %s", name, target, verdict(name)
          if (eq_cpu[name] > 0 && eq_cpu["null"] > 0)
            printf ", equal load %s", (eq_cpu[name] / eq_cpu["null"] >= target ? "met" : "NOT met")
          printf "\n"
        }
      }'
}

echo
echo "== UDP: generator -UDP-> forwarder -UDP-> sink; R-URI sip:bench@bench.test (NAPTR prefers SIP+D2U) =="
table udp 0.6
echo
echo "== TCP: generator -TCP, 2 connections-> forwarder -TCP-> sink; R-URI sip:bench@tcp.bench.test (NAPTR: SIP+D2T only) =="
table tcp
echo "  (over TCP the null forwarder relays bytes without framing: a floor for the socket layer,"
echo "  not a per-message peer; the 0.6 target is the UDP one)"
cat <<TXT

Full load: the generator sends as fast as it can (UDP excess is dropped at the forwarder's
socket); fwd/s = requests reaching the sink per second; CPU% and fwd/CPU-s = utime+stime of the
forwarder (all its processes and threads) over the window, and requests forwarded per
CPU-second of it. The generator shares core 1 with the sink and cannot saturate the fastest
forwarders (CPU% below ~90), so compare fwd/CPU-s beside fwd/s. At $equal_rate/s every
forwarder gets the same offered load ("short" when it forwarded under 98 % of it): CPU per
request where no one is saturated. At $latency_rate/s, one request per send: p50/p99 of
generator -> forwarder -> sink; the null forwarder's is the socket floor, "added latency" is
what a forwarder adds to it. proxied = share arriving with Max-Forwards 69 (the null
forwarder relays bytes unchanged); hop = transport to the sink; resp = responses read back.
Forwarders on core 0, generator + sink on core 1; every run warmed up first (DNS cache full).
Targets (issue 7): sipedge >= 0.6 x the null forwarder per CPU-second. The "5x Kamailio"
target assumed Debian's default debug allocator (qm); Kamailio here runs -x fm, the fair
peer, which forwards ~3-4x what qm does (../shared/anchors/README.md).
TXT
