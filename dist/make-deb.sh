#!/usr/bin/env bash
# make deb: builds sipedge's Debian package with dpkg-buildpackage in a copy of the tree, so
# the checkout stays clean, then runs lintian on it.
#   dist/make-deb.sh OUT_DIR   -> OUT_DIR/sipedge_VERSION_ARCH.deb (+ .changes, .buildinfo,
#                                 the dbgsym package and OUT_DIR/lintian.txt)
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
out=$(mkdir -p "$1" && cd "$1" && pwd)
version=$(dpkg-parsechangelog -l "$root/debian/changelog" -S Version)
src=$out/sipedge-$version

# In a checkout: the tracked files and the new ones not ignored (what a commit would hold),
# never build trees. Outside one (a release tarball): everything but build*/ folders.
# SIPEDGE_DEB_KEEP=1 keeps the copy and its build tree from one run to the next (a quicker
# rebuild while working on debian/); by default every run starts from a clean copy.
[ -n "${SIPEDGE_DEB_KEEP:-}" ] || rm -rf "$src"
mkdir -p "$src"
if git -C "$root" rev-parse --is-inside-work-tree >/dev/null 2>&1; then
  (cd "$root" && git ls-files -z --cached --others --exclude-standard |
    while IFS= read -r -d '' f; do [ -e "$f" ] && printf '%s\0' "$f"; done |
    tar --null -T - -cf -) | tar -xf - -C "$src"
else
  (cd "$root" && tar --exclude='./build*' --exclude='./debian/build' --exclude='./obj-*' -cf - .) |
    tar -xf - -C "$src"
fi

rm -f "$out"/sipedge*_"$version"_*.deb "$out"/sipedge_"$version"_*.changes "$out"/sipedge_"$version"_*.buildinfo
# The tests need root, namespaces and real peers: `make test` runs them, not the package build.
(cd "$src" && DEB_BUILD_OPTIONS="nocheck ${DEB_BUILD_OPTIONS:-}" \
  dpkg-buildpackage -b -uc -us ${SIPEDGE_DEB_KEEP:+--no-pre-clean} -j"${JOBS:-$(nproc)}")
[ -n "${SIPEDGE_DEB_KEEP:-}" ] || rm -rf "$src"

changes=$(ls "$out"/sipedge_"$version"_*.changes)
echo "make-deb: $(ls "$out"/sipedge_"$version"_*.deb)"
# lintian's verdict is kept beside the package; an error fails the target.
lintian --info --display-info --pedantic "$changes" | tee "$out/lintian.txt" || true
if grep -q '^E: ' "$out/lintian.txt"; then
  echo "make-deb: lintian reported errors (see $out/lintian.txt)" >&2
  exit 1
fi
