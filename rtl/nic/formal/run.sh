#!/usr/bin/env bash
# Formal checks of the NIC core with yosys-smtbmc and z3 (no SymbiYosys needed):
#   rtl/nic/formal/run.sh [axil|mux|dma|all] [DEPTH]
#     axil  AXI4-Lite slave (nic_axil_slave, nic_csr's front end): bounded check and induction
#   "all" runs axil. Written but not yet passing in reasonable time (z3 stays in step 0 for more
#   than 10 minutes; to be investigated), so not in "all":
#     mux   nic_axi_mux, the shared DMA port: handshakes, W beats per burst, ID routing;
#           bounded check and induction
#     dma   AXI4 master of nic_tx + nic_rx + nic_axi_mux: window, 4 KB, handshakes, W beats,
#           ring invariants; bounded check to DEPTH cycles after reset (default 14: a
#           descriptor fetch, its check and the first data burst of each engine)
# Each job: read_verilog -formal of the unchanged RTL and the props top, prep, write_smt2,
# yosys-smtbmc -s z3. Work files go to a temporary folder (kept and named on failure).
set -euo pipefail
cd "$(dirname "$0")/../../.."
case "${1:-all}" in -h|--help) sed -n '2,13p' "$0" | sed 's/^# \{0,1\}//'; exit 0 ;; esac
for t in yosys yosys-smtbmc z3; do
  command -v "$t" >/dev/null || { echo "nic formal: $t is missing (Debian packages yosys, z3)" >&2; exit 1; }
done
what=${1:-all}
depth=${2:-14}
work=$(mktemp -d "${TMPDIR:-/tmp}/nic-formal.XXXXXX")
ok=1
F=rtl/nic/formal
NIC="rtl/nic/nic_axil_slave.v"
DMA="rtl/nic/nic_axi_mux.v rtl/nic/nic_tx.v rtl/nic/nic_rx.v"

job() {   # name top "sources" "chparam options" smtbmc-args...
  local name=$1 top=$2 srcs=$3 par=$4; shift 4
  echo "== nic formal: $name"
  # small memories (descriptor caches) become flip-flops: z3 is much faster on bit-vectors
  yosys -q -l "$work/$name.yosys.log" -p "read_verilog -formal -Irtl/nic $srcs; ${par:+chparam $par $top;} prep -top $top; flatten; memory_map; opt -fast; dffunmap; write_smt2 -wires $work/$name.smt2"
  if yosys-smtbmc -s z3 "$@" "$work/$name.smt2" > "$work/$name.log" 2>&1; then
    grep -E "Status|summary" "$work/$name.log" | tail -2
  else
    tail -20 "$work/$name.log"
    echo "nic formal: $name FAILED (work files in $work)"
    ok=0
  fi
}

if [ "$what" = axil ] || [ "$what" = all ]; then
  job axil_bmc nic_axil_props "$NIC $F/nic_axil_props.v" "" -t 20
  job axil_ind nic_axil_props "$NIC $F/nic_axil_props.v" "" -i -t 20
fi
if [ "$what" = mux ]; then
  job mux_bmc nic_axi_mux_props "rtl/nic/nic_axi_mux.v $F/nic_axi_mux_props.v" "" -t 20
  job mux_ind nic_axi_mux_props "rtl/nic/nic_axi_mux.v $F/nic_axi_mux_props.v" "" -i -t 20
fi
if [ "$what" = dma ]; then
  job dma_rx_bmc nic_dma_props "$DMA $F/nic_dma_props.v" "-set WITH_TX 0" -t "$depth"
  job dma_tx_bmc nic_dma_props "$DMA $F/nic_dma_props.v" "-set WITH_RX 0" -t "$depth"
fi
[ $ok = 1 ] && rm -rf "$work"
[ $ok = 1 ] && echo "nic formal: all passed" || exit 1
