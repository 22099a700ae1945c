#!/usr/bin/env bash
# Ops: the Debian package and its systemd service, on this machine.
#   dpkg -i: the programs, the conffile, the man pages, the unit, the sipedge user;
#   sipedge.service run by a real systemd (PID 1 of a new PID, mount and cgroup namespace,
#   since this machine's PID 1 is not systemd) in the lab's edge network namespace, with the
#   unit as installed plus a drop-in for the lab (network namespace, log file):
#     start: the daemon runs as user sipedge with exactly the unit's capabilities, attaches
#       XDP to the lab's client-facing veth, pins its maps; SIPp calls go through it;
#     reload: SIGHUP, same process, a new route from the edited file works;
#     restart: a new process; the XDP program stayed attached and its maps (counters) were
#       reused; calls go through again;
#     stop: no process; the classifier stays attached and keeps counting;
#   dpkg --purge: no file, user, group, pin or process left, bpffs permissions as before.
# When systemd cannot run as PID 1 of a namespace here, the unit's ExecStart is run with its
# User= and capabilities through setpriv instead, and the output says why.
#
# Usage: package.sh BUILD_DIR. The package: $SIPEDGE_DEB, else the newest build-deb/*.deb that
# `make deb` left, else `make deb` is run (long). Needs root; skipped (77) otherwise, or when a
# sipedge package is already installed (it is not ours to replace).
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
root=$(cd "$here/../.." && pwd)
[ "$(id -u)" = 0 ] || { echo "skip: needs root (dpkg -i, namespaces, XDP)"; exit 77; }
if dpkg-query -W -f='${db:Status-Status}' sipedge 2>/dev/null | grep -q installed; then
  echo "skip: a sipedge package is already installed on this machine"
  exit 77
fi
for tool in dpkg unshare setpriv nsenter; do
  command -v "$tool" >/dev/null || { echo "skip: $tool is missing"; exit 77; }
done
[ -x /lib/systemd/systemd ] || { echo "skip: systemd is not installed"; exit 77; }

deb=${SIPEDGE_DEB:-}
if [ -z "$deb" ]; then
  deb=$(ls -t "$root"/build-deb/sipedge_*.deb 2>/dev/null | head -n 1 || true)
fi
if [ -z "$deb" ]; then
  echo "# no package given (SIPEDGE_DEB) and none in build-deb/: running make deb"
  make -C "$root" deb >/dev/null || { echo "FAIL - make deb" >&2; exit 1; }
  deb=$(ls -t "$root"/build-deb/sipedge_*.deb | head -n 1)
fi
[ -f "$deb" ] || { echo "FAIL - no package at $deb" >&2; exit 1; }
echo "# package: $deb"

# shellcheck source=tests/integration/lib/lab.sh
source "$root/tests/integration/lib/lab.sh"
lab_init opk "${1:?usage: package.sh BUILD_DIR}"
# The lab's helpers (teardown, lab_xdp_*) use the installed programs, not the build tree's.
# shellcheck disable=SC2034
SIPEDGE=/usr/sbin/sipedge SIPEDGECTL=/usr/sbin/sipedgectl
conf=/etc/sipedge/sipedge.toml
unit=/lib/systemd/system/sipedge.service
bpffs_before=$(stat -c '%a %U %G' /sys/fs/bpf)
sd_pid="" cg_name=sipedge-$LAB_ID mode=""

# --- teardown: the service and systemd, then the package, then the lab -----------------------
pkg_teardown() {
  local rc=$?
  set +e
  if [ -n "$sd_pid" ] && kill -0 "$sd_pid" 2>/dev/null; then
    sd systemctl stop sipedge >/dev/null 2>&1
    kill -9 "$sd_pid" 2>/dev/null # PID 1 of its namespace: SIGKILL ends the namespace
    for _ in $(seq 50); do kill -0 "$sd_pid" 2>/dev/null || break; sleep 0.1; done
  fi
  [ -n "${direct_pid:-}" ] && kill -TERM "$direct_pid" 2>/dev/null && wait "$direct_pid" 2>/dev/null
  for h in systemd unified; do
    [ -d "/sys/fs/cgroup/$h/$cg_name" ] || continue
    find "/sys/fs/cgroup/$h/$cg_name" -depth -type d -exec rmdir {} + 2>/dev/null
  done
  if dpkg-query -W -f='${db:Status-Status}' sipedge 2>/dev/null | grep -qv not-installed; then
    echo "# purging the package left installed by a failed run" >&2
    dpkg --purge sipedge >/dev/null 2>&1
  fi
  (exit "$rc")
  lab_teardown
}
trap pkg_teardown EXIT

# --- install ----------------------------------------------------------------------------------
fails() { ! "$@"; }
# quiet CMD...: CMD's status, its output dropped.
quiet() { "$@" >/dev/null 2>&1; }
check "no sipedge user before the install" fails quiet getent passwd sipedge
dpkg -i "$deb" >"$LAB_TMP/dpkg-install.log" 2>&1 || {
  cat "$LAB_TMP/dpkg-install.log" >&2
  lab_die "dpkg -i $deb"
}
check "dpkg -i: the package is installed" quiet dpkg-query -W sipedge
installed=(/usr/sbin/sipedge /usr/sbin/sipedgectl /usr/bin/sipedge-resolve /usr/bin/sipedge-parse
  "$conf" "$unit" /usr/lib/sysusers.d/sipedge.conf
  /usr/share/man/man8/sipedge.8.gz /usr/share/man/man8/sipedgectl.8.gz
  /usr/share/man/man1/sipedge-resolve.1.gz /usr/share/man/man1/sipedge-parse.1.gz
  /usr/share/man/man5/sipedge.toml.5.gz)
for f in "${installed[@]}"; do check "installed: $f" test -e "$f"; done
check "$conf is a conffile" grep -q "^ $conf " <(dpkg-query -W -f='${Conffiles}\n' sipedge)
check "the sipedge user exists, with no login shell" \
  eq "$(getent passwd sipedge | cut -d: -f7)" /usr/sbin/nologin
check "the sipedge group exists" quiet getent group sipedge
check "the unit is enabled (multi-user.target.wants)" \
  test -L /etc/systemd/system/multi-user.target.wants/sipedge.service
check "the packaged configuration is valid (sipedge --check-config)" \
  quiet /usr/sbin/sipedge --check-config "$conf"
check "man -w finds sipedge.toml(5)" quiet man -w 5 sipedge.toml

# --- the lab ----------------------------------------------------------------------------------
lab_up
lab_wait_ipv6 || true
lab_start_nsd
lab_start_uas uas-udp u1
lab_start_responder

# The lab's configuration in the packaged place: listeners on the edge's lab addresses, the
# lab's NSD, XDP on the client-facing veth, kept pinned across restarts.
write_config() {
  local route=${1:-}
  {
    printf '[daemon]\nworkers = 2\nlog_level = "debug"\n\n'
    printf '[[listen]]\ntransport = "udp"\naddress = "%s"\nport = %s\n\n' "$LAB_EDGE" "$LAB_SIP_PORT"
    printf '[[listen]]\ntransport = "tcp"\naddress = "%s"\nport = %s\n\n' "$LAB_EDGE" "$LAB_SIP_PORT"
    printf '[xdp]\niface = "%s"\nkeep_pinned_on_exit = true\n\n' "$LAB_IF"
    printf '[dns]\nservers = ["%s"]\n\n' "$LAB_DNS"
    printf '[metrics]\nlisten = "%s"\n' "$LAB_METRICS"
    if [ -n "$route" ]; then
      printf '\n[[route]]\ndomain = "%s"\nnext_hop = "sip:%s:%s;transport=udp"\n' "$route" "$LAB_ECHO" "$LAB_SIP_PORT"
    fi
  } >"$conf.new"
  mv "$conf.new" "$conf"
}
write_config

# --- systemd as PID 1 of a namespace ----------------------------------------------------------
# Its units: the installed sipedge.service (linked, not copied), the few targets its default
# dependencies name, and a drop-in that puts the daemon in the lab's edge namespace and its
# output in the lab's log. Nothing else of the machine's units is loaded.
units=$LAB_TMP/units
mkdir -p "$units/sipedge.service.d"
for u in basic.target sysinit.target sockets.target paths.target timers.target slices.target \
  local-fs.target swap.target shutdown.target multi-user.target network.target \
  network-online.target network-pre.target; do
  [ -e "/lib/systemd/system/$u" ] && cp "/lib/systemd/system/$u" "$units/"
done
printf '[Unit]\nDescription=sipedge package test\n' >"$units/default.target"
ln -s "$unit" "$units/sipedge.service"
cat >"$units/sipedge.service.d/lab.conf" <<EOF
[Service]
NetworkNamespacePath=/run/netns/$NS_EDGE
StandardOutput=append:$LAB_TMP/sipedge.log
StandardError=inherit
EOF

# boot.sh runs as PID 1's parent-to-be: private /run (the host's has no systemd in it and must
# keep none), the lab's netns files bound back in, cgroup file systems rooted at this
# namespace's cgroup, then exec systemd.
cat >"$LAB_TMP/boot.sh" <<EOF
#!/bin/bash
set -e
mount --make-rprivate /
mkdir -p $LAB_TMP/netns-host
mount --rbind /run/netns $LAB_TMP/netns-host
mount -t tmpfs -o mode=0755 tmpfs /run
mkdir -p /run/netns /run/systemd
mount --rbind $LAB_TMP/netns-host /run/netns
umount /sys/fs/cgroup/systemd
mount -t cgroup -o none,name=systemd cgroup /sys/fs/cgroup/systemd
umount /sys/fs/cgroup/unified
mount -t cgroup2 cgroup2 /sys/fs/cgroup/unified
export SYSTEMD_UNIT_PATH=$units container=sipedge-package-test
exec /lib/systemd/systemd --system --log-target=console --log-level=notice --unit=default.target
EOF
chmod +x "$LAB_TMP/boot.sh"

# sd CMD...: CMD in systemd's mount and PID namespaces (systemctl talks to it there).
sd() { nsenter -t "$sd_pid" -m -p "$@"; }

boot_systemd() {
  local h
  for h in systemd unified; do
    mkdir -p "/sys/fs/cgroup/$h/$cg_name"
  done
  # A shell that moves itself into the new cgroups, then unshares: the cgroup namespace's
  # root is that cgroup, so systemd's slices land under it and go with it.
  setsid bash -c "echo \$\$ > /sys/fs/cgroup/systemd/$cg_name/cgroup.procs &&
    echo \$\$ > /sys/fs/cgroup/unified/$cg_name/cgroup.procs &&
    exec unshare --pid --fork --mount --cgroup --mount-proc $LAB_TMP/boot.sh" \
    >"$LAB_TMP/systemd.out" 2>&1 </dev/null &
  local outer=$!
  for _ in $(seq 100); do
    # $outer became unshare; its child, systemd, is PID 1 of the new namespace.
    sd_pid=$(pgrep -P "$outer" | head -n 1 || true)
    # "degraded" or "starting" would do too: what matters is that the manager answers.
    if [ -n "$sd_pid" ] && sd systemctl show -p Version --value >/dev/null 2>&1; then return 0; fi
    sleep 0.1
  done
  return 1
}

# SIPEDGE_TEST_NO_SYSTEMD=1 takes the fallback on purpose (to test the test).
if [ -z "${SIPEDGE_TEST_NO_SYSTEMD:-}" ] && boot_systemd; then
  mode=systemd
  echo "# systemd $(sd systemctl show -p Version --value) runs as PID 1 of a namespace (host pid $sd_pid)"
else
  mode=direct
  echo "# systemd could not run as PID 1 of a namespace here: ${SIPEDGE_TEST_NO_SYSTEMD:+not tried (SIPEDGE_TEST_NO_SYSTEMD)} $(tail -n 3 "$LAB_TMP/systemd.out" 2>/dev/null | tr '\n' ' ')"
  echo "# falling back: the unit's ExecStart with its User= and capabilities through setpriv"
  [ -n "$sd_pid" ] && kill -9 "$sd_pid" 2>/dev/null
  sd_pid=""
fi

# --- the service, through systemctl (or its stand-in) ------------------------------------------
unit_value() { sed -n "s/^$1=//p" "$unit" | tail -n 1; }
caps=$(unit_value AmbientCapabilities)
direct_pid=""
svc() {
  local action=$1
  if [ "$mode" = systemd ]; then
    sd systemctl "$action" sipedge
    return
  fi
  # The stand-in: what the unit says, by hand.
  local setcaps exec_start
  read -r -a exec_start <<<"$(unit_value ExecStart)"
  setcaps=$(tr ' ' '\n' <<<"$caps" | sed 's/^CAP_//' | tr 'A-Z' 'a-z' | sed 's/^/+/' | paste -sd,)
  case $action in
  start)
    eval "$(unit_value ExecStartPre | sed 's/^+//')"
    nsenter --net="/run/netns/$NS_EDGE" setpriv --reuid=sipedge --regid=sipedge --init-groups \
      --inh-caps="-all,$setcaps" --ambient-caps="-all,$setcaps" --bounding-set="-all,$setcaps" \
      --no-new-privs "${exec_start[@]}" >>"$LAB_TMP/sipedge.log" 2>&1 </dev/null &
    direct_pid=$!
    ;;
  reload) kill -HUP "$direct_pid" ;;
  stop)
    kill -TERM "$direct_pid"
    wait "$direct_pid" || true
    direct_pid=""
    ;;
  restart) svc stop && svc start ;;
  esac
}
main_pid() {
  if [ "$mode" = systemd ]; then
    # systemd's MainPID is a pid of its namespace; the host pid is the listener's.
    in_edge ss -Hlnup "sport = :$LAB_SIP_PORT" | sed -n 's/.*pid=\([0-9]*\).*/\1/p' | head -n 1
  else
    echo "$direct_pid"
  fi
}
wait_ready() {
  for _ in $(seq 100); do
    [ -n "$(in_edge ss -Hlnu "sport = :$LAB_SIP_PORT")" ] && [ -e "$LAB_PINS/stats" ] &&
      [ -n "$(in_edge ss -Hlnt "sport = :${LAB_METRICS##*:}")" ] && return 0
    sleep 0.1
  done
  return 1
}
wait_gone() {
  for _ in $(seq 100); do
    [ -z "$(in_edge ss -Hlnu "sport = :$LAB_SIP_PORT")" ] && return 0
    sleep 0.1
  done
  return 1
}
# The counters the pinned maps hold (so they survive the daemon): SIP over UDP, by bpftool.
xdp_sip_udp() { lab_bpftool_sum sip_udp.packets 2>/dev/null || echo -1; }
# The program on the interface, and the pinned bpf_link that holds it there (a restart replaces
# the program through the link in one step: the link, and the maps, stay).
xdp_prog_id() { in_edge ip -j link show dev "$LAB_IF" | jq -r '.[0].xdp.prog.id // .[0].xdp.attached[0].prog.id // empty'; }
xdp_link_id() { bpftool -j link show pinned "$LAB_PINS/link" 2>/dev/null | jq -r '.id // empty'; }

# --- start --------------------------------------------------------------------------------------
svc start || lab_bad "systemctl start sipedge"
wait_ready || lab_die "sipedge.service: not listening on $LAB_EDGE:$LAB_SIP_PORT with pins in $LAB_PINS"
pid=$(main_pid)
if [ "$mode" = systemd ]; then
  check "systemctl is-active sipedge: active" eq "$(sd systemctl is-active sipedge)" active
fi
check "the daemon runs as user sipedge" eq "$(ps -o user= -p "$pid")" sipedge
want_caps=$(tr ' ' '\n' <<<"$caps" | tr 'A-Z' 'a-z' | sort | paste -sd,)
# have_caps SET: the daemon's capability set (CapEff, CapBnd, ...) as sorted names.
have_caps() {
  capsh --decode="$(sed -n "s/^$1:\t*//p" "/proc/$pid/status")" | sed 's/^.*=//' | tr ',' '\n' | sort | paste -sd,
}
check "its effective capabilities are the unit's, no more ($want_caps)" eq "$(have_caps CapEff)" "$want_caps"
check "its bounding set is the unit's too" eq "$(have_caps CapBnd)" "$want_caps"
check "its ambient set is the unit's" eq "$(have_caps CapAmb)" "$want_caps"
check "no new privileges" eq "$(sed -n 's/^NoNewPrivs:\t*//p' "/proc/$pid/status")" 1
check "its pins are under $LAB_PINS, owned by sipedge" eq "$(stat -c %U "$LAB_PINS")" sipedge
prog_before=$(xdp_prog_id)
link_before=$(xdp_link_id)
check "the XDP classifier is attached to $LAB_IF (prog id $prog_before)" test -n "$prog_before"

rc=0
lab_uac call-start u1 both.lab.test 5 || rc=$?
lab_calls_ok call-start 5 "calls through the service" "$rc"

# --- reload -------------------------------------------------------------------------------------
status() { sed -n 's/^SIP\/2.0 \([0-9]*\).*/\1/p' <<<"$1"; }
out=$(lab_probe "$LAB_CLIENT" "$LAB_EDGE" 5060 --method MESSAGE --uri sip:bob@static.lab.test 2>&1 || true)
check "before the reload: static.lab.test has no route (503: $out)" eq "$(status "$out")" 503
write_config static.lab.test
reloaded_before=$(lab_log_count 'reloaded: ')
svc reload || lab_bad "systemctl reload sipedge"
for _ in $(seq 100); do [ "$(lab_log_count 'reloaded: ')" -gt "$reloaded_before" ] && break; sleep 0.1; done
check "reload: the daemon logged 'reloaded'" ge "$(lab_log_count 'reloaded: ')" $((reloaded_before + 1))
check "reload: the same process (pid $pid)" eq "$(main_pid)" "$pid"
sleep 0.5 # the workers take the new snapshot on their next loop turn
out=$(lab_probe "$LAB_CLIENT" "$LAB_EDGE" 5060 --method MESSAGE --uri sip:bob@static.lab.test 2>&1 || true)
check "after the reload: the new route answers (200: $out)" eq "$(status "$out")" 200

# --- restart: the data plane survives -----------------------------------------------------------
counted=$(xdp_sip_udp)
check "the classifier counted the calls' SIP over UDP ($counted)" ge "$counted" 1
svc restart || lab_bad "systemctl restart sipedge"
wait_ready || lab_die "sipedge.service did not come back after restart"
new_pid=$(main_pid)
check "restart: a new process ($pid -> $new_pid)" test "$new_pid" != "$pid"
prog_after=$(xdp_prog_id)
check "restart: the classifier is attached (prog id $prog_before -> $prog_after)" test -n "$prog_after"
if [ -n "$link_before" ]; then
  check "restart: through the same pinned bpf_link (id $link_before)" eq "$(xdp_link_id)" "$link_before"
fi
check "restart: the daemon reused the pinned maps (no 'new maps' on the second attach)" \
  fails bash -c "grep 'classifier attached' '$LAB_TMP/sipedge.log' | tail -n 1 | grep -q 'new maps'"
check "restart: the counters carried on (>= $counted)" ge "$(xdp_sip_udp)" "$counted"
rc=0
lab_uac call-restart u1 both.lab.test 5 || rc=$?
lab_calls_ok call-restart 5 "calls after the restart" "$rc"

# --- stop: the classifier keeps filtering -------------------------------------------------------
svc stop || lab_bad "systemctl stop sipedge"
check "stop: nothing listens any more" wait_gone
if [ "$mode" = systemd ]; then
  check "systemctl is-active sipedge: inactive" eq "$(sd systemctl is-active sipedge || true)" inactive
  check "stop: exit status 0 (clean SIGTERM)" eq "$(sd systemctl show -p ExecMainStatus --value sipedge)" 0
fi
check "stop: the XDP program is still attached (prog id $prog_after)" eq "$(xdp_prog_id)" "$prog_after"
before=$(xdp_sip_udp)
lab_probe "$LAB_CLIENT" "$LAB_EDGE" 5060 --method OPTIONS --uri "sip:$LAB_EDGE" --timeout 0.5 >/dev/null 2>&1 || true
check "stop: ... and counting with no daemon ($before -> $(xdp_sip_udp))" ge "$(xdp_sip_udp)" $((before + 1))

if [ "$mode" = systemd ]; then
  kill -9 "$sd_pid" 2>/dev/null
  for _ in $(seq 50); do kill -0 "$sd_pid" 2>/dev/null || break; sleep 0.1; done
  sd_pid=""
fi

# --- purge: nothing left ------------------------------------------------------------------------
dpkg --purge sipedge >"$LAB_TMP/dpkg-purge.log" 2>&1 || {
  cat "$LAB_TMP/dpkg-purge.log" >&2
  lab_bad "dpkg --purge sipedge"
}
check "purge: the package is gone" fails quiet dpkg-query -W -f='${db:Status-Status}\n' sipedge
for f in "${installed[@]}" /etc/sipedge /usr/share/sipedge /usr/share/doc/sipedge \
  /etc/systemd/system/multi-user.target.wants/sipedge.service; do
  check "purge: $f is gone" fails test -e "$f"
done
check "purge: no sipedge user" fails quiet getent passwd sipedge
check "purge: no sipedge group" fails quiet getent group sipedge
check "purge: the pins of $LAB_IF are gone" fails test -e "$LAB_PINS"
check "purge: no sipedge process" fails pgrep -f '^/usr/sbin/sipedge'
check "purge: /sys/fs/bpf has its mode and owners back ($bpffs_before)" \
  eq "$(stat -c '%a %U %G' /sys/fs/bpf)" "$bpffs_before"
echo "# service mode: $mode"
lab_finish
