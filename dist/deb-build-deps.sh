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

missing=()
for p in "${pkgs[@]}"; do
  status=$(dpkg-query -W -f='${db:Status-Status}' "$p" 2>/dev/null || true)
  [ "$status" = installed ] || missing+=("$p")
done
[ ${#missing[@]} -eq 0 ] && exit 0

if [ "$(id -u)" -ne 0 ]; then
  echo "deb-build-deps: missing packages (${missing[*]}); run as root to install them" >&2
  exit 1
fi
echo "deb-build-deps: installing ${missing[*]}"
export DEBIAN_FRONTEND=noninteractive
apt-get update -qq || apt-get update
apt-get install -y -qq --no-install-recommends "${missing[@]}"
