#!/usr/bin/env bash
# Formal proofs of the MAC (formal/mac/*.v) with yosys, yosys-smtbmc and z3.
#
#   formal/run.sh [options] [WORKDIR]
#
# Each proof elaborates the unchanged RTL with its property top (yosys read_verilog -formal),
# writes SMT-LIB2 and runs yosys-smtbmc with z3 into WORKDIR (default: a fresh temporary
# folder). It prints PASS/FAIL per proof with its time and exits non-zero if any proof fails.
#
# Proofs:
#   tx_ind       eth_mac_tx, source may underflow: k-induction (base case + inductive step)
#   tx_ind_fifo  eth_mac_tx, store-and-forward source (no underflow): k-induction
#   tx_bmc       eth_mac_tx, ports only (no internal invariants): bounded check, 30 cycles
#   rx_ind       eth_mac_rx: k-induction
#   rx_bmc       eth_mac_rx, ports only: bounded check, 30 cycles
#
# Options:
#   --only NAME[,NAME...]  run these proofs only
#   --rtl DIR              RTL tree to check (default: rtl/ of this repository); used to show
#                          that a deliberately broken copy fails
#   --list                 print the proof names and exit
#   -h, --help             print this help and exit
# Environment: FORMAL_TIMEOUT (seconds per proof, default 900).
set -euo pipefail

here=$(cd "$(dirname "$0")" && pwd)
rtl="$here/../rtl"
only=""
work=""
all="tx_ind tx_ind_fifo rx_ind tx_bmc rx_bmc"

usage() { sed -n '2,23p' "$0" | sed 's/^# \{0,1\}//'; }

while [ $# -gt 0 ]; do
  case "$1" in
    -h|--help) usage; exit 0 ;;
    --list) echo "$all" | tr ' ' '\n'; exit 0 ;;
    --only) only=${2:?--only needs a proof name}; shift 2 ;;
    --only=*) only=${1#--only=}; shift ;;
    --rtl) rtl=${2:?--rtl needs a folder}; shift 2 ;;
    --rtl=*) rtl=${1#--rtl=}; shift ;;
    -*) echo "formal/run.sh: unknown option $1 (see --help)" >&2; exit 2 ;;
    *) [ -z "$work" ] || { echo "formal/run.sh: one WORKDIR only" >&2; exit 2; }
       work=$1; shift ;;
  esac
done

missing=0
need() {   # need TOOL DEBIAN_PACKAGE
  if ! command -v "$1" >/dev/null 2>&1; then
    echo "formal/run.sh: $1 not found: install the Debian package '$2' (apt-get install $2)" >&2
    missing=1
  fi
}
need yosys yosys
need yosys-smtbmc yosys
need z3 z3
[ "$missing" = 0 ] || exit 2

rtl=$(cd "$rtl" && pwd)
for f in mac/eth_mac_tx.v mac/eth_mac_rx.v common/eth_crc32_d8.v; do
  [ -f "$rtl/$f" ] || { echo "formal/run.sh: $rtl/$f not found" >&2; exit 2; }
done
if [ -z "$work" ]; then
  work=$(mktemp -d "${TMPDIR:-/tmp}/nic-formal.XXXXXX")
fi
mkdir -p "$work"
work=$(cd "$work" && pwd)
timeout_s=${FORMAL_TIMEOUT:-900}

selected=$all
if [ -n "$only" ]; then
  selected=$(echo "$only" | tr ',' ' ')
  for p in $selected; do
    case " $all " in *" $p "*) ;; *) echo "formal/run.sh: no proof named $p (see --list)" >&2; exit 2 ;; esac
  done
fi

# z3 settings: --unroll --noincr. In its default incremental mode, with the state as uninterpreted
# functions, z3 4.8 takes minutes on step 0 of these models; unrolled, non-incremental
# bit-vector queries take seconds. Steps are checked in batches (-t 0:BATCH:DEPTH): every step's
# assertions are still checked, with fewer solver calls. `flatten; opt -fast` before write_smt2
# matters as much.
smtbmc=(yosys-smtbmc -s z3 --unroll --noincr)

tx_src="$rtl/common/eth_crc32_d8.v $rtl/mac/eth_mac_tx.v"
rx_src="$rtl/common/eth_crc32_d8.v $rtl/mac/eth_mac_rx.v"
tx_expose="eth_mac_tx/state eth_mac_tx/cnt eth_mac_tx/gap eth_mac_tx/len eth_mac_tx/need_pad"
rx_expose="eth_mac_rx/state eth_mac_rx/rx_dv eth_mac_rx/rx_er eth_mac_rx/rx_ok eth_mac_rx/len"
rx_expose="$rx_expose eth_mac_rx/len_ge_5 eth_mac_rx/len_ge_min"

# elaborate NAME: write $work/NAME.ys and build $work/NAME.smt2 from the variables
#   src (RTL files), expose (internal registers for the induction tops), props (property files),
#   top, params ("NAME=VALUE ..." set on the top with chparam). The induction tops read MAC
#   registers through `expose`: if the RTL renames them, elaboration fails here with "does not
#   have a port named ...", and formal/mac/eth_mac_*_ind.v needs updating.
elaborate() {
  local name=$1 ys="$work/$1.ys"
  {
    echo "read_verilog -formal $src"
    if [ -n "$expose" ]; then
      echo "proc"
      echo "expose $expose"
    fi
    echo "read_verilog -formal $props"
    for kv in $params; do
      echo "chparam -set ${kv%%=*} ${kv#*=} $top"
    done
    echo "prep -top $top"
    echo "flatten"
    echo "opt -fast"
    echo "async2sync"
    echo "dffunmap"
    echo "write_smt2 -wires $work/$name.smt2"
  } > "$ys"
  yosys -q -l "$work/$name.yosys.log" "$ys" > /dev/null 2>&1
}

# run_smtbmc NAME LOGSUFFIX ARGS...: yosys-smtbmc on $work/NAME.smt2, output in NAME.LOGSUFFIX.log
run_smtbmc() {
  local name=$1 sfx=$2; shift 2
  timeout "$timeout_s" "${smtbmc[@]}" --noprogress "$@" "$work/$name.smt2" \
    > "$work/$name.$sfx.log" 2>&1 &&
    grep -q 'Status: PASSED' "$work/$name.$sfx.log"
}

prove() {
  local name=$1
  src="" expose="" props="" top="" params=""
  case "$name" in
    tx_ind|tx_ind_fifo)
      src=$tx_src expose=$tx_expose top=eth_mac_tx_ind
      props="$here/mac/eth_mac_tx_props.v $here/mac/eth_mac_tx_ind.v"
      if [ "$name" = tx_ind ]; then params="UNDERFLOW=1"; else params="UNDERFLOW=0"; fi
      elaborate "$name" &&
        run_smtbmc "$name" base -t 4 --dump-vcd "$work/$name.base.vcd" &&
        run_smtbmc "$name" step -i -t 3 --dump-vcd "$work/$name.step.vcd" ;;
    tx_bmc)
      src=$tx_src props="$here/mac/eth_mac_tx_props.v" top=eth_mac_tx_props params="UNDERFLOW=1"
      elaborate "$name" &&
        run_smtbmc "$name" bmc -t 0:10:30 --dump-vcd "$work/$name.vcd" ;;
    rx_ind)
      src=$rx_src expose=$rx_expose top=eth_mac_rx_ind
      props="$here/mac/eth_mac_rx_props.v $here/mac/eth_mac_rx_ind.v"
      elaborate "$name" &&
        run_smtbmc "$name" base -t 4 --dump-vcd "$work/$name.base.vcd" &&
        run_smtbmc "$name" step -i -t 3 --dump-vcd "$work/$name.step.vcd" ;;
    rx_bmc)
      src=$rx_src props="$here/mac/eth_mac_rx_props.v" top=eth_mac_rx_props
      elaborate "$name" &&
        run_smtbmc "$name" bmc -t 0:10:30 --dump-vcd "$work/$name.vcd" ;;
  esac
}

echo "formal: RTL $rtl, work folder $work"
failed=0
for p in $selected; do
  t0=$(date +%s.%N)
  if prove "$p"; then res=PASS; else res=FAIL; failed=1; fi
  t1=$(date +%s.%N)
  printf "%s  %-12s %7.1f s\n" "$res" "$p" "$(awk -v a="$t0" -v b="$t1" 'BEGIN { print b - a }')"
  if [ "$res" = FAIL ]; then
    for log in "$work/$p".*log; do
      [ -f "$log" ] || continue
      grep -E 'ERROR|failed|Assert failed|Status|Timeout' "$log" | sed "s|^|    $(basename "$log"): |" | head -8 || true
    done
    echo "    logs and traces (.vcd): $work/$p.*"
  fi
done
exit $failed
