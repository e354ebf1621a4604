#!/usr/bin/env bash
# Formal checks of the NIC core with yosys-smtbmc and z3 (no SymbiYosys needed):
#   rtl/nic/formal/run.sh [axil|mux|tx|rx|all] [DEPTH]
#     axil  AXI4-Lite slave (nic_axil_slave, nic_csr's front end)
#     mux   nic_axi_mux, the shared AXI4 master port: handshakes held, W beats per burst, ID
#           routing, W granted only to the engine whose AW was accepted
#     tx    nic_tx's AXI4 master side: handshakes held, every burst inside the DMA window and
#           never across 4 KB, two W beats per completion, ring invariants
#     rx    the same for nic_rx (AWLEN+1 W beats per burst, frames and completions)
#   tx and rx run for ADDR_WIDTH 64 (the default) and 13 (the iCE40 board's build).
#   Each is a bounded check from reset (DEPTH cycles, default 6) and a k-induction (k = 4, or
#   $kind), so the properties hold at every depth. mux/tx/rx are an assume-guarantee pair: what
#   nic_axi_mux_props assumes of an engine, nic_tx_props and nic_rx_props prove of nic_tx and
#   nic_rx against a slave that behaves as the mux does.
# Each job: read_verilog -formal of the unchanged RTL (registers the induction needs are made
# ports with `expose`) and the props top, prep, write_smt2, yosys-smtbmc -s z3 --unroll --noincr
# (z3 4.8's incremental mode takes exponential time on step 0 of these models, see
# formal/run.sh). Work files go to a temporary folder (kept and named on failure, with a VCD of
# the counterexample).
set -euo pipefail
cd "$(dirname "$0")/../../.."
case "${1:-all}" in -h|--help) sed -n '2,19p' "$0" | sed 's/^# \{0,1\}//'; exit 0 ;; esac
for t in yosys yosys-smtbmc z3; do
  command -v "$t" >/dev/null || { echo "nic formal: $t is missing (Debian packages yosys, z3)" >&2; exit 1; }
done
what=${1:-all}
depth=${2:-6}
work=$(mktemp -d "${TMPDIR:-/tmp}/nic-formal.XXXXXX")
ok=1
cut=
echp=
F=rtl/nic/formal
NIC="rtl/nic/nic_axil_slave.v"

job() {   # name top "RTL sources" "expose list" "property sources" "chparam options" smtbmc-args...
  local name=$1 top=$2 srcs=$3 exp=$4 props=$5 par=$6; shift 6
  echo "== nic formal: $name"
  # `expose` turns the listed RTL registers into ports, read by the induction's strengthening
  # invariants (the RTL stays unchanged); small memories (descriptor caches) become flip-flops:
  # z3 is much faster on bit-vectors
  yosys -q -l "$work/$name.yosys.log" -p "read_verilog -formal -Irtl/nic $srcs; ${echp:+$echp;} ${exp:+proc; expose $exp;} read_verilog -formal $props; ${par:+chparam $par $top;} prep -top $top; flatten; ${cut:+cutpoint $cut;} memory_map; opt -fast; dffunmap; write_smt2 -wires $work/$name.smt2"
  if yosys-smtbmc -s z3 --unroll --noincr --noprogress --dump-vcd "$work/$name.vcd" "$@" "$work/$name.smt2" > "$work/$name.log" 2>&1; then
    grep -E "Status|summary" "$work/$name.log" | tail -2
  else
    tail -20 "$work/$name.log"
    echo "nic formal: $name FAILED (work files in $work)"
    ok=0
  fi
}

if [ "$what" = axil ] || [ "$what" = all ]; then
  job axil_bmc nic_axil_props "$NIC" "" "$F/nic_axil_props.v" "" -t 20
  job axil_ind nic_axil_props "$NIC" "" "$F/nic_axil_props.v" "" -i -t 20
fi
if [ "$what" = mux ] || [ "$what" = all ]; then
  MUX_EXP="nic_axi_mux/ar_lock nic_axi_mux/ar_sel nic_axi_mux/aw_lock nic_axi_mux/aw_sel nic_axi_mux/w_busy nic_axi_mux/w_sel"
  job mux_bmc nic_axi_mux_props rtl/nic/nic_axi_mux.v "$MUX_EXP" "$F/nic_axi_mux_props.v" "" -t 20
  job mux_ind nic_axi_mux_props rtl/nic/nic_axi_mux.v "$MUX_EXP" "$F/nic_axi_mux_props.v" "" -i -t 20
fi
if [ "$what" = tx ] || [ "$what" = all ]; then
  TX_EXP=$(printf 'nic_tx/%s ' state f_addr ar_left n_beats r_beat fetch_idx cpl_beat fcount fbeat)
  # the checksum datapath feeds no control decision and no address: cut it (its registers become
  # free inputs, an over-approximation, so the proof stays sound) to keep z3's problem small
  cut=$(printf 'w:dut.%s ' sum_ip sum_l4 ck_ip ck_l4 patch_data patch_addr patch_be)
  for aw in 64 13; do     # the default build, and the board's (ADDR_WIDTH 13)
    echp="chparam -set ADDR_WIDTH $aw nic_tx"
    job tx_bmc_a$aw nic_tx_props "rtl/nic/nic_ring.v rtl/nic/nic_tx.v" "$TX_EXP" "$F/nic_axi4_master_check.v $F/nic_tx_props.v" "-set AW $aw" -t "${depth}"
    job tx_ind_a$aw nic_tx_props "rtl/nic/nic_ring.v rtl/nic/nic_tx.v" "$TX_EXP" "$F/nic_axi4_master_check.v $F/nic_tx_props.v" "-set AW $aw" -i -t "${kind:-4}"
  done
  echp=
  cut=
fi
if [ "$what" = rx ] || [ "$what" = all ]; then
  RX_EXP=$(printf 'nic_rx/%s ' state f_addr b_left f_words_left fetch_idx cpl_beat fcount fbeat cw_valid cw_last f_info)
  for aw in 64 13; do
    echp="chparam -set ADDR_WIDTH $aw nic_rx"
    job rx_bmc_a$aw nic_rx_props "rtl/nic/nic_ring.v rtl/nic/nic_rx.v" "$RX_EXP" "$F/nic_axi4_master_check.v $F/nic_rx_props.v" "-set AW $aw" -t "${depth}"
    job rx_ind_a$aw nic_rx_props "rtl/nic/nic_ring.v rtl/nic/nic_rx.v" "$RX_EXP" "$F/nic_axi4_master_check.v $F/nic_rx_props.v" "-set AW $aw" -i -t "${kind:-4}"
  done
  echp=
fi
[ $ok = 1 ] && rm -rf "$work"
[ $ok = 1 ] && echo "nic formal: all passed" || exit 1
