#!/bin/sh
# Checks that a program fails the way it should: exit status STATUS and output (stdout and stderr)
# matching REGEX, so a test that expects "no such name" does not pass on a crash or a timeout.
#   expect_failure.sh STATUS REGEX PROGRAM [ARGS...]
set -u
if [ "${1:-}" = "--help" ]; then
  sed -n '2,4p' "$0" | sed 's/^# \{0,1\}//'
  exit 0
fi
if [ $# -lt 3 ]; then
  echo "usage: expect_failure.sh STATUS REGEX PROGRAM [ARGS...]" >&2
  exit 2
fi
want=$1 regex=$2
shift 2
if ! command -v "$1" >/dev/null 2>&1; then
  echo "FAIL: program '$1' not found: build its target first" >&2
  exit 1
fi
out=$("$@" 2>&1)
status=$?
printf '%s\n' "$out"
if [ "$status" -ne "$want" ]; then
  echo "FAIL: '$*' exited with status $status, want $want" >&2
  exit 1
fi
if ! printf '%s\n' "$out" | grep -Eq -- "$regex"; then
  echo "FAIL: output of '$*' does not match /$regex/" >&2
  exit 1
fi
echo "ok: status $status and /$regex/"
