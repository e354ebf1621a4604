#!/bin/sh
# Removes what interop tests left behind when they could not clean up themselves (killed by a ctest
# timeout with SIGKILL, a crash): network namespaces "nicstk<pid>" whose test process <pid> is gone,
# any process still running inside them (an orphaned dnsmasq or nc), and /etc/netns/nicstk<pid>.
# Namespaces of running tests are left alone. Runs as the ctest fixture cleanup of the interop tests
# and fails if a stale namespace survives, so a leak is reported instead of piling up.
#   sweep_netns.sh [--help]
set -u
if [ "${1:-}" = "--help" ]; then
  sed -n '2,7p' "$0" | sed 's/^# \{0,1\}//'
  exit 0
fi
if ! command -v ip >/dev/null 2>&1; then
  echo "sweep_netns.sh: 'ip' missing: install iproute2" >&2
  exit 1
fi
stale() {
  ip netns list 2>/dev/null | awk '{print $1}' | grep -E '^nicstk[0-9]+$' | while read -r ns; do
    pid=${ns#nicstk}
    kill -0 "$pid" 2>/dev/null || echo "$ns"
  done
}
for ns in $(stale); do
  ip netns pids "$ns" 2>/dev/null | xargs -r kill -9 2>/dev/null
  ip netns del "$ns" && echo "removed stale network namespace $ns"
done
for d in /etc/netns/nicstk*; do
  [ -d "$d" ] || continue
  pid=${d#/etc/netns/nicstk}
  kill -0 "$pid" 2>/dev/null || rm -rf "$d"
done
left=$(stale)
if [ -n "$left" ]; then
  echo "sweep_netns.sh: could not remove: $left" >&2
  exit 1
fi
exit 0
