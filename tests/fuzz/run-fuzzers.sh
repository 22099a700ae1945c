#!/usr/bin/env bash
# Runs each libFuzzer target for a bounded number of runs, seeded with the conformance
# corpus and the saved regressions. A crash fails the run and leaves the input in
# BUILD/fuzz-artifacts/ — copy it into tests/fuzz/regressions/ to keep it as a test.
set -euo pipefail
build=$1
runs=${2:-200000}
here=$(cd "$(dirname "$0")" && pwd)
shared=${SIPEDGE_CONFORMANCE_DIR:-$here/../../../shared/conformance}
artifacts=$build/fuzz-artifacts
mkdir -p "$artifacts"
for target in fuzz_sip_message fuzz_sip_uri fuzz_sip_fast_path; do
  corpus=$(mktemp -d)
  trap 'rm -rf "$corpus"' EXIT
  find "$shared" -name '*.sip' -exec cp {} "$corpus"/ \;
  # The repository's own strict cases (credentials, UTF-8) seed the credential grammar.
  for f in "$here"/../conformance/strict/*.sip; do cp "$f" "$corpus/strict-$(basename "$f")"; done
  cp "$here"/regressions/* "$corpus"/ 2>/dev/null || true
  echo "fuzz: $target, $runs runs, seeds: $(ls "$corpus" | wc -l)"
  set +e
  "$build/tests/fuzz/$target" -runs="$runs" -max_len=4096 -timeout=10 \
    -artifact_prefix="$artifacts/${target}-" "$corpus" 2>&1 | tail -n 3
  rc=${PIPESTATUS[0]}
  set -e
  rm -rf "$corpus"
  if [ "$rc" -ne 0 ]; then
    echo "fuzz: $target failed (exit $rc); crashing input under $artifacts" >&2
    exit 1
  fi
done
echo "fuzz: no crashes"
