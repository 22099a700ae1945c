#!/usr/bin/env bash
# make demo: sipedge at work, from a fresh clone after `make build` (which installs the Debian
# packages it needs). Needs root: the main part builds a lab of network namespaces.
#   1. the SIP parser on a carrier INVITE (short);
#   2. tools/demo/edge.sh: the router in a lab with DNS, SIPp calls, a flood dropped in XDP,
#      policy refusals, metrics and the pinned XDP counters; torn down also on Ctrl-C.
# Nothing here pipes into a pager-sized reader (head, less): every output is printed whole
# or filtered from a file.
set -euo pipefail
build=$(cd "${1:-build}" && pwd)
here=$(cd "$(dirname "$0")" && pwd)

step() { printf '\n\033[1m== %s\033[0m\n' "$*"; }

step "SIP parser: a carrier INVITE, summarised by sipedge-parse --json"
"$build/tools/sipedge-parse/sipedge-parse" --json "$here/demo/invite.sip" | jq -c .

step "SIP parser: the same INVITE with a CSeq that does not match its method"
if sed 's/^CSeq: 1 INVITE/CSeq: 1 BYE/' "$here/demo/invite.sip" |
  "$build/tools/sipedge-parse/sipedge-parse" -; then
  echo "unexpectedly accepted" >&2
  exit 1
else
  echo "(exit $?: rejected, as RFC 3261 §8.1.1.5 asks)"
fi

if [ "$(id -u)" != 0 ]; then
  echo "demo: the lab part needs root (network namespaces, XDP); run: sudo make demo" >&2
  exit 1
fi
bash "$here/demo/edge.sh" "$build"
