#!/usr/bin/env bash
# Runs sipedge-parse on every MANIFEST.tsv entry; names each file whose verdict differs.
set -u
tool=$1
dir=$2
[ -r "$dir/MANIFEST.tsv" ] || { echo "no MANIFEST.tsv in $dir" >&2; exit 1; }
fail=0
total=0
while IFS=$'\t' read -r file _section expect _note; do
  [ "$file" = file ] && continue
  total=$((total + 1))
  "$tool" "$dir/$file" >/dev/null 2>&1
  rc=$?
  case "$expect:$rc" in
    valid:0 | invalid:1) ;;
    *) echo "MISMATCH $file: expected $expect, exit code $rc" >&2; fail=$((fail + 1)) ;;
  esac
  # --json must print one well-formed object for valid messages.
  if [ "$expect" = valid ] && command -v jq >/dev/null; then
    "$tool" --json "$dir/$file" 2>/dev/null | jq -e '.kind' >/dev/null || {
      echo "BAD JSON $file" >&2; fail=$((fail + 1)); }
  fi
done <"$dir/MANIFEST.tsv"
echo "$((total - fail)) passed, $fail failed"
[ "$fail" -eq 0 ] && [ "$total" -gt 0 ]
