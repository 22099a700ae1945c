#!/usr/bin/env bash
# Installs what `make deb` needs: the packaging tools and debian/control's Build-Depends.
# Idempotent: when everything is present it only runs dpkg-query and exits.
set -euo pipefail
cd "$(dirname "$0")/.."

pkgs=(dpkg-dev debhelper fakeroot lintian)
# Build-Depends of debian/control, one name per entry (versions and :any dropped).
while read -r p; do pkgs+=("$p"); done < <(
  awk '/^Build-Depends:/ { on = 1; sub(/^Build-Depends:/, "") }
       on && /^[A-Za-z-]+:/ && !/^Build-Depends:/ { on = 0 }
       on { print }' debian/control | tr ',' '\n' | sed -E 's/\(.*\)//; s/:any//; s/\s+//g' | grep -v -e '^$' -e '^debhelper-compat$')

exec bash tools/install-deps.sh "${pkgs[@]}"
