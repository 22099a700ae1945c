#!/usr/bin/env bash
# make demo: shows what sipedge does today, using only what this repository builds and
# the Debian packages tools/install-deps.sh installed. Cleans up everything it starts.
set -euo pipefail
build=${1:-build}
here=$(cd "$(dirname "$0")" && pwd)
root=$(cd "$here/.." && pwd)

step() { printf '\n\033[1m== %s\033[0m\n' "$*"; }

step "SIP parser: a carrier INVITE, summarised by sipedge-parse --json"
"$build/tools/sipedge-parse/sipedge-parse" --json "$here/demo/invite.sip" | jq .

step "SIP parser: the same INVITE with a CSeq that does not match its method"
sed 's/^CSeq: 1 INVITE/CSeq: 1 BYE/' "$here/demo/invite.sip" |
  "$build/tools/sipedge-parse/sipedge-parse" - && echo "unexpectedly accepted" || echo "(exit $?: rejected, as RFC 3261 §8.1.1.5 asks)"

step "SIP parser: the RFC 4475 / RFC 5118 torture corpus"
shared=${SIPEDGE_CONFORMANCE_DIR:-$root/../shared/conformance}
if [ -r "$shared/MANIFEST.tsv" ]; then
  bash "$root/tests/conformance/check_tool_verdicts.sh" "$build/tools/sipedge-parse/sipedge-parse" "$shared"
else
  echo "(no conformance corpus at $shared)"
fi

for extra in "$here"/demo/*.sh; do
  [ -e "$extra" ] || continue
  bash "$extra" "$build"
done
