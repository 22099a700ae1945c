#!/usr/bin/env bash
# SIP parser benchmark: ns/message for parse vs a memchr CRLF scan, same run.
set -euo pipefail
build=${1:-build}
# Best of SIP_BENCH_ROUNDS short rounds of SIP_BENCH_ITERATIONS messages (see the source).
taskset -c 0 "$build/bench/sip/sip_parse_bench" "${SIP_BENCH_ITERATIONS:-2000}" "${SIP_BENCH_ROUNDS:-200}"
