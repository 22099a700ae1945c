#!/usr/bin/env bash
# Installs every Debian package sipedge needs to build, test and benchmark, or, given
# package names, exactly those (the benchmarks' and tests' optional peers, the packaging
# tools), the same way: no package's install script may start a system daemon.
# Idempotent: when everything is present it only runs dpkg-query and exits.
# usage: install-deps.sh [PACKAGE...]
set -euo pipefail

PKGS=(
  # toolchain
  build-essential cmake ninja-build pkg-config git clang clang-14 llvm clang-format
  libfuzzer-14-dev libclang-rt-14-dev
  # libraries
  libgtest-dev libgmock-dev libbenchmark-dev libssl-dev libsodium-dev libc-ares-dev liburcu-dev
  liburing-dev libtomlplusplus-dev libcli11-dev prometheus-cpp-dev
  # eBPF / XDP
  libbpf-dev libxdp-dev xdp-tools bpftool linux-libc-dev libelf-dev zlib1g-dev
  # test peers and tools
  iproute2 nftables nsd knot-dnsutils sip-tester sipsak prometheus curl jq util-linux procps python3
)
if [ $# -gt 0 ]; then PKGS=("$@"); fi

missing=()
for p in "${PKGS[@]}"; do
  status=$(dpkg-query -W -f='${db:Status-Status}' "$p" 2>/dev/null || true)
  [ "$status" = "installed" ] || missing+=("$p")
done
if [ ${#missing[@]} -eq 0 ]; then
  exit 0
fi

if [ "$(id -u)" -ne 0 ]; then
  echo "install-deps: missing packages (${missing[*]}); run as root to install them" >&2
  exit 1
fi

echo "install-deps: installing ${missing[*]}"
export DEBIAN_FRONTEND=noninteractive
# Package install scripts must not start system daemons (nsd would take port 53, kamailio
# 5060); the tests and benchmarks start their own peers on their own ports.
policy=/usr/sbin/policy-rc.d
restore_policy=0
if [ ! -e "$policy" ]; then
  printf '#!/bin/sh\nexit 101\n' >"$policy"
  chmod +x "$policy"
  restore_policy=1
fi
trap '[ "$restore_policy" = 1 ] && rm -f "$policy"' EXIT
apt-get update -qq || apt-get update
apt-get install -y -qq --no-install-recommends "${missing[@]}"
