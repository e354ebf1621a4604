#!/bin/sh
# Checks that a program rejects bad options cleanly: exit status 2 (usage error, not a crash or an
# abort) and a message on stderr that matches REGEX (so the user is told which option is wrong).
#   expect_usage_error.sh REGEX PROGRAM [ARGS...]
set -u
if [ "${1:-}" = "--help" ]; then
  sed -n '2,4p' "$0" | sed 's/^# \{0,1\}//'
  exit 0
fi
if [ $# -lt 2 ]; then
  echo "usage: expect_usage_error.sh REGEX PROGRAM [ARGS...]" >&2
  exit 2
fi
regex=$1
shift
if ! command -v "$1" >/dev/null 2>&1; then
  echo "FAIL: program '$1' not found: build its target first" >&2
  exit 1
fi
err=$("$@" 2>&1 >/dev/null)
status=$?
if [ "$status" -ne 2 ]; then
  echo "FAIL: '$*' exited with status $status, want 2; stderr:" >&2
  echo "$err" >&2
  exit 1
fi
if ! printf '%s\n' "$err" | grep -Eq -- "$regex"; then
  echo "FAIL: stderr of '$*' does not match /$regex/:" >&2
  echo "$err" >&2
  exit 1
fi
echo "ok: $* -> status 2, '$regex'"
