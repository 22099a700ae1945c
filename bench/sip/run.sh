#!/usr/bin/env bash
# SIP parser benchmark: ns/message for parse vs a memchr CRLF scan, same run.
set -euo pipefail
build=${1:-build}
taskset -c 0 "$build/bench/sip/sip_parse_bench" "${SIP_BENCH_ITERATIONS:-200000}"
