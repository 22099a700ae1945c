#!/usr/bin/env bash
# Runs every benchmark folder's run.sh with the build directory; each prints its own ratios.
set -euo pipefail
build=${1:-build}
here=$(cd "$(dirname "$0")" && pwd)
rc=0
for script in "$here"/*/run.sh; do
  [ -e "$script" ] || continue
  echo "== $(basename "$(dirname "$script")") =="
  bash "$script" "$build" || rc=1
done
exit $rc
