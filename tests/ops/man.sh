#!/usr/bin/env bash
# Ops: the man pages. man/gen-man.py builds them from the programs of BUILD_DIR; then
#   every page renders with `man --warnings -l` at 80 columns without a warning;
#   every flag each program's --help lists (each sipedgectl command's too) is in its page;
#   every key of etc/sipedge.toml is in sipedge.toml(5);
#   the generator refuses a page source that describes a flag --help does not list.
# Usage: man.sh BUILD_DIR. Skipped (77) when the programs are not built or man is missing.
set -uo pipefail
here=$(cd "$(dirname "$0")" && pwd)
root=$(cd "$here/../.." && pwd)
build=$(cd "${1:?usage: man.sh BUILD_DIR}" && pwd)
for p in sipedge/sipedge sipedgectl/sipedgectl sipedge-resolve/sipedge-resolve sipedge-parse/sipedge-parse; do
  [ -x "$build/tools/$p" ] || { echo "skip: $build/tools/$p is not built"; exit 77; }
done
command -v man >/dev/null || { echo "skip: man is not installed"; exit 77; }
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
passes=0 fails=0
ok() { echo "ok - $1"; passes=$((passes + 1)); }
bad() { echo "FAIL - $1" >&2; fails=$((fails + 1)); }
check() {
  local d=$1
  shift
  if "$@"; then ok "$d"; else bad "$d"; fi
}

python3 "$root/man/gen-man.py" --build "$build" --out "$tmp/man" >/dev/null ||
  { echo "FAIL - man/gen-man.py" >&2; exit 1; }

# render PAGE: the page as text, 80 columns, no formatting; warnings into PAGE.warnings.
render() { MANWIDTH=80 MAN_KEEP_FORMATTING=0 man --warnings -l "$1" 2>"$1.warnings" | col -bx; }
for page in sipedge.8 sipedgectl.8 sipedge-resolve.1 sipedge-parse.1 sipedge.toml.5; do
  f=$tmp/man/$page
  check "$page: generated" test -s "$f"
  render "$f" >"$f.txt"
  check "$page: renders with no warning$( [ -s "$f.warnings" ] && printf ' (%s)' "$(head -c 300 "$f.warnings" | tr '\n' ' ')")" \
    test ! -s "$f.warnings"
  check "$page: the NAME line is there" grep -q '^NAME' "$f.txt"
done

# flags_of PROGRAM [COMMAND...]: the long flags (and the short ones) its --help lists.
flags_of() {
  local prog=$1
  shift
  "$prog" "$@" --help 2>/dev/null | grep -oE '(^|[ ,])--?[a-zA-Z][a-zA-Z0-9-]*' | sed 's/^[ ,]//' | sort -u
}
# commands_of PROGRAM [COMMAND...]: the subcommands its --help lists.
commands_of() {
  "$@" --help 2>/dev/null | awk '/^Subcommands:/ { on = 1; next } /^[^ ]/ { on = 0 } on && NF { print $1 }'
}
# in_page TEXT FLAG: FLAG is in the rendered page as a word (not only as part of a longer flag).
in_page() { grep -qE -- "(^|[^a-zA-Z0-9-])$2([^a-zA-Z0-9-]|$)" "$1"; }

for tool in sipedge sipedge-resolve sipedge-parse; do
  bin=$build/tools/$tool/$tool
  sec=8
  [ "$tool" = sipedge ] || sec=1
  missing=()
  while read -r flag; do
    in_page "$tmp/man/$tool.$sec.txt" "$flag" || missing+=("$flag")
  done < <(flags_of "$bin")
  check "$tool.$sec: every flag of $tool --help is in the page${missing[*]:+ (missing: ${missing[*]})}" \
    test ${#missing[@]} = 0
done

ctl=$build/tools/sipedgectl/sipedgectl
missing=()
walk() {
  local sub
  while read -r flag; do
    in_page "$tmp/man/sipedgectl.8.txt" "$flag" || missing+=("$* $flag")
  done < <(flags_of "$ctl" "$@")
  while read -r sub; do
    grep -qE -- "(^| )$sub( |$)" "$tmp/man/sipedgectl.8.txt" || missing+=("command: $* $sub")
    walk "$@" "$sub"
  done < <(commands_of "$ctl" "$@")
}
walk
check "sipedgectl.8: every command and flag of sipedgectl --help is in the page${missing[*]:+ (missing: ${missing[*]})}" \
  test ${#missing[@]} = 0

missing=()
while read -r key; do
  in_page "$tmp/man/sipedge.toml.5.txt" "$key" || missing+=("$key")
done < <(sed -nE 's/^#? ?([a-z_]+) = .*/\1/p' "$root/etc/sipedge.toml" | sort -u)
check "sipedge.toml.5: every key of etc/sipedge.toml is in the page${missing[*]:+ (missing: ${missing[*]})}" \
  test ${#missing[@]} = 0

# A page source that documents a flag the program does not have is refused (no stale prose).
cp -r "$root/man" "$tmp/src-man"
mkdir -p "$tmp/src/docs"
cp "$root/docs/config.md" "$tmp/src/docs/"
cp "$root/CMakeLists.txt" "$tmp/src/"
mv "$tmp/src-man" "$tmp/src/man"
printf '\n# OPTIONS\n\n## --no-such-flag\n\nStale prose.\n' >>"$tmp/src/man/sipedge-parse.1.md"
out=$(python3 "$tmp/src/man/gen-man.py" --build "$build" --out "$tmp/stale" 2>&1)
rc=$?
check "gen-man refuses prose for a flag --help does not list (exit $rc: $out)" \
  bash -c "[ $rc != 0 ] && grep -q -- '--no-such-flag' <<<'$out'"

echo "$passes passed, $fails failed"
[ "$fails" = 0 ]
