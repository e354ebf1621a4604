#!/bin/sh
# Runs one libFuzzer target for a bounded number of runs from the corpus kept in the tree.
# New inputs go to a temporary directory (the tree's corpus is read-only here); a crash leaves its
# reproducer in the current directory and fails the test.
#   run_fuzz.sh FUZZER CORPUS_DIR RUNS
set -eu
if [ "${1:-}" = "--help" ] || [ $# -ne 3 ]; then
  echo "usage: run_fuzz.sh FUZZER CORPUS_DIR RUNS"; [ $# -eq 3 ] || exit 2; exit 0
fi
fuzzer=$1 corpus=$2 runs=$3
if [ ! -x "$fuzzer" ]; then
  echo "fuzzer $fuzzer was not built: install clang and libclang-rt-14-dev, then rebuild (target stack_fuzzers)" >&2
  exit 1
fi
work=$(mktemp -d /tmp/nic_fuzz.XXXXXX)
trap 'rm -rf "$work"' EXIT INT TERM
# Fixed seed: a failure reproduces with the same command.
"$fuzzer" -runs="$runs" -seed=1 -max_len=4096 -timeout=10 -rss_limit_mb=2048 -print_final_stats=1 \
  "$work" "$corpus"
