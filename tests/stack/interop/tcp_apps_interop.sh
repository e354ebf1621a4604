#!/bin/sh
# The TCP apps on a TAP device against Linux tools, in a network namespace this script creates and
# always deletes (192.0.2.0/24 only; nothing in the root namespace is touched):
#   nicbulk --listen  <- nc -N (Linux sends a file; SHA-256 compared with sha256sum)
#   nicbulk --connect -> nc -l | sha256sum (the stack sends; SHA-256 compared)
#   nichttpd          <- curl, a generated body and a file on one keep-alive connection, a 404
#   nichttpget        -> python3 -m http.server (body saved and compared)
# Each app creates its TAP inside the namespace; the script then gives Linux its address. Every step
# is bounded by `timeout`. Needs root, iproute2, netcat-openbsd, curl, python3, coreutils.
#   tcp_apps_interop.sh NICBULK NICHTTPD NICHTTPGET
set -u
if [ "${1:-}" = "--help" ] || [ $# -ne 3 ]; then
  sed -n '2,11p' "$0" | sed 's/^# \{0,1\}//'
  [ "${1:-}" = "--help" ] && exit 0
  exit 2
fi
BULK=$1 HTTPD=$2 GET=$3
[ "$(id -u)" = 0 ] || { echo "FAIL: needs root (CAP_NET_ADMIN) to create a network namespace" >&2; exit 1; }
for t in ip ss nc curl python3 sha256sum timeout head cmp grep; do
  command -v $t >/dev/null 2>&1 || { echo "FAIL: missing tool '$t': install iproute2, netcat-openbsd, curl, python3, coreutils" >&2; exit 1; }
done
# "nicstk<pid>": the name sweep_netns.sh recognises, so a SIGKILLed run is cleaned up after it.
NS=nicstk$$
DIR=$(mktemp -d /tmp/nic_tcp_apps.XXXXXX) || exit 1
cleanup() {
  ip netns pids $NS 2>/dev/null | xargs -r kill -9
  ip netns del $NS 2>/dev/null
  rm -rf "$DIR"
}
trap cleanup EXIT
trap 'exit 1' INT TERM HUP
ip netns add $NS || { echo "FAIL: cannot create network namespace $NS" >&2; exit 1; }
ip netns exec $NS ip link set lo up
fail=0
check() {  # check WHAT EXPECTED ACTUAL
  if [ "$2" = "$3" ]; then echo "ok   $1"; else echo "FAIL $1: expected '$2', got '$3'"; fail=1; fi
}
# Gives the namespace's end of TAP $1 the address $2 once the app has created it (bounded wait).
linux_side() {
  i=0
  while ! ip netns exec $NS ip link show "$1" >/dev/null 2>&1; do
    i=$((i + 1)); [ $i -gt 50 ] && { echo "FAIL: TAP $1 never appeared in $NS"; fail=1; return 1; }
    sleep 0.1
  done
  ip netns exec $NS sh -c "ip addr add $2/24 dev $1 && ip link set $1 up"
}
# Runs a Linux client until it gets past a refused connection: the app may create its TAP before
# it listens, and a SYN that arrives in between is answered with RST (RFC 9293 section 3.10.7.1).
# At most 50 tries 0.1 s apart; the client's own exit status otherwise.
retry_refused() {
  i=0
  while :; do
    "$@" 2> "$DIR/retry.err" && return 0
    rc=$?
    i=$((i + 1))
    if [ $i -ge 50 ] || ! grep -qi "refused" "$DIR/retry.err"; then cat "$DIR/retry.err" >&2; return $rc; fi
    sleep 0.1
  done
}
# Waits (bounded, 5 s) until something in the namespace listens on TCP port $1.
wait_listen() {
  i=0
  until ip netns exec $NS ss -Hltn "sport = :$1" | grep -q .; do
    i=$((i + 1)); [ $i -gt 50 ] && { echo "FAIL: nothing listens on port $1 in $NS"; fail=1; return 1; }
    sleep 0.1
  done
}

head -c 1500000 /dev/urandom > "$DIR/up.bin"
head -c 700000 /dev/urandom > "$DIR/www.bin"

# 1. Linux -> nicbulk (stack listens, nc sends and shuts down its side).
timeout 30 "$BULK" --tap nictap1 --netns $NS --addr 192.0.2.2/24 --listen 5001 --direction recv --timeout 25 \
  > "$DIR/bulk1.out" 2>&1 &
P1=$!
linux_side nictap1 192.0.2.1
retry_refused ip netns exec $NS timeout 20 nc -N 192.0.2.2 5001 < "$DIR/up.bin"
wait $P1; rc=$?
check "nicbulk --listen exit status" 0 $rc
want=$(sha256sum < "$DIR/up.bin" | cut -d' ' -f1)
got=$(sed -n 's/^received *\([0-9]*\) bytes *sha256 \([0-9a-f]*\).*/\1 \2/p' "$DIR/bulk1.out")
check "nc -> nicbulk bytes and sha256" "1500000 $want" "$got"

# 2. nicbulk -> Linux (nc listens, hashes what arrives).
# (nc listens on every address: 192.0.2.3 exists only once the app has created the TAP.)
ip netns exec $NS sh -c "timeout 30 nc -d -l 5002 | sha256sum > $DIR/nc2.sha" &
P2=$!
wait_listen 5002
timeout 30 "$BULK" --tap nictap2 --netns $NS --addr 192.0.2.4/24 --connect 192.0.2.3:5002 --bytes 2M --timeout 25 \
  > "$DIR/bulk2.out" 2>&1 &
P3=$!
linux_side nictap2 192.0.2.3
wait $P3; rc=$?
wait $P2
check "nicbulk --connect exit status" 0 $rc
sent=$(sed -n 's/^sent *\([0-9]*\) bytes *sha256 \([0-9a-f]*\).*/\1 \2/p' "$DIR/bulk2.out")
check "nicbulk -> nc bytes and sha256" "2097152 $(cut -d' ' -f1 < "$DIR/nc2.sha")" "$sent"

# 3. curl -> nichttpd: a generated body and a file (--root) on one keep-alive connection, then a 404.
timeout 30 "$HTTPD" --tap nictap3 --netns $NS --addr 192.0.2.6/24 --root "$DIR" --requests 3 --duration 25 \
  > "$DIR/httpd.out" 2>&1 &
P4=$!
linux_side nictap3 192.0.2.5
codes=$(ip netns exec $NS timeout 20 curl -sS --retry 10 --retry-connrefused -o /dev/null -o "$DIR/curl.bin" -w '%{http_code}/%{size_download} ' \
  http://192.0.2.6/gen/250000 http://192.0.2.6/www.bin)
miss=$(ip netns exec $NS timeout 20 curl -sS -o /dev/null -w '%{http_code}' http://192.0.2.6/no/such/file)
wait $P4
check "curl -> nichttpd" "200/250000 200/700000 404" "$codes$miss"
check "file served by nichttpd" same "$(cmp -s "$DIR/www.bin" "$DIR/curl.bin" && echo same || echo differs)"
check "nichttpd summary" "served 3 requests on 2 connections: 2 2xx, 1 4xx" \
  "$(sed -n 's/^\(served .* 4xx\),.*/\1/p' "$DIR/httpd.out")"

# 4. nichttpget -> python3 http.server (on every address of the namespace, listening before the
# TAP exists; the app's SYN waits for ARP and is retransmitted until Linux has its address).
ip netns exec $NS timeout 30 python3 -m http.server 8000 --bind 0.0.0.0 --directory "$DIR" > "$DIR/py.out" 2>&1 &
P5=$!
wait_listen 8000
timeout 25 "$GET" --tap nictap4 --netns $NS --addr 192.0.2.8/24 --timeout 15 -o "$DIR/got.bin" \
  http://192.0.2.7:8000/www.bin > "$DIR/get.out" 2>&1 &
P6=$!
linux_side nictap4 192.0.2.7
wait $P6; rc=$?
ok=$([ $rc = 0 ] && echo 1 || echo 0)
kill $P5 2>/dev/null
check "nichttpget -> python3 http.server" "1 same" "$ok $(cmp -s "$DIR/www.bin" "$DIR/got.bin" && echo same || echo differs)"
if [ $fail -ne 0 ]; then
  for f in bulk1.out bulk2.out httpd.out get.out py.out; do echo "--- $f"; cat "$DIR/$f" 2>/dev/null; done
fi
exit $fail
